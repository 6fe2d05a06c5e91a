// Files (issue 21): 50 concurrent uploads of 10 MB each to a ntfy topic (PUT with Filename:), the
// gateway's RSS sampled every 50 ms while they stream, then every file downloaded back, 50 at
// once, its SHA-256 compared. Prints upload and download throughput (MB/s of file bytes) and the
// RSS before, at its peak and after.
//   [FILES_N=50] [FILES_MB=10] bun bench/probes/files.ts
import { createHash, randomBytes } from "node:crypto";
import { startProsody } from "../../testbed/prosody.ts";
import { freePort } from "../../testbed/ports.ts";
import { startBenchGateway } from "../lib/gateway.ts";
import { memoryMb } from "../lib/process.ts";

const N = Math.min(200, Number(process.env.FILES_N ?? 50));
const MB = Math.min(100, Number(process.env.FILES_MB ?? 10));

const prosody = await startProsody({ logLevel: "error" });
try {
  const port = await freePort();
  const routes = `attachments: { max_file_bytes: ${(MB + 1) * 1_048_576}, quota_bytes: ${N * (MB + 1) * 1_048_576}, rate: { files: ${N * 2}, window_s: 60 } }
routes:
  - { preset: ntfy, topics: { door: bob@${prosody.host} } }
`;
  const gw = await startBenchGateway(prosody, port, routes, undefined, undefined, {}, [`public_url: "http://127.0.0.1:${port}"`]);
  try {
    await Bun.sleep(2_500);
    const before = memoryMb(gw.proc.pid).rss_mb;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, memoryMb(gw.proc.pid).rss_mb)), 50);
    // One random file per upload: identical bytes would be stored once.
    const files = Array.from({ length: N }, () => randomBytes(MB * 1_048_576));
    const sha = files.map((f) => createHash("sha256").update(f).digest("hex"));
    let t0 = performance.now();
    const answers = await Promise.all(
      files.map((body, i) => fetch(`${gw.url}/door`, { method: "PUT", headers: { filename: `cam-${i}.bin` }, body }).then((r) => r.json())),
    );
    const upS = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const urls = answers.map((a, i) => {
      const url = (a as { attachment?: { url?: string } }).attachment?.url;
      if (!url) throw new Error(`upload ${i} got no attachment: ${JSON.stringify(a)}`);
      return url;
    });
    t0 = performance.now();
    const back = await Promise.all(
      urls.map((u) =>
        fetch(u).then(async (r) =>
          createHash("sha256")
            .update(new Uint8Array(await r.arrayBuffer()))
            .digest("hex"),
        ),
      ),
    );
    const downS = (performance.now() - t0) / 1000;
    const same = back.filter((h, i) => h === sha[i]).length;
    const total = N * MB;
    console.log(
      `${N} x ${MB} MB: upload ${(total / upS).toFixed(1)} MB/s (${upS.toFixed(2)} s), download ${(total / downS).toFixed(1)} MB/s (${downS.toFixed(2)} s), ` +
        `${same}/${N} SHA-256 equal; RSS ${before} MB idle, ${peak} MB peak during the uploads, ${memoryMb(gw.proc.pid).rss_mb} MB after`,
    );
  } finally {
    await gw.stop();
  }
} finally {
  await prosody.stop();
}
