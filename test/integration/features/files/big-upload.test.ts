// A 1 GB upload over a real socket (issue 21 §6): `curl -T -` streams a gigabyte to a ntfy topic
// and gets ntfy's 41301 as soon as the file passes attachments.max_file_bytes; the gateway cuts
// it while it streams, and its memory stays bounded (printed for the closing note).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createGateway, type Gateway } from "../../../../src/app.ts";
import { createLogger } from "../../../../src/log.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";
import { freePort } from "../../../../testbed/ports.ts";

const GB = 2 ** 30;
let gateway: Gateway;
let port: number;

// No XMPP server: nothing is sent, and the link is not what this measures.
beforeAll(async () => {
  port = await freePort();
  const config = loadTestConfig(`xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }
http: { listen: "127.0.0.1:${port}", public_url: "http://127.0.0.1:${port}" }
store: ":memory:"
routes:
  - { preset: ntfy, topics: { door: alice@localhost } }
`);
  gateway = await createGateway(config, { log: createLogger({ level: "error", write: () => {} }) });
  gateway.listen();
});
afterAll(() => gateway.stop({ flushTimeoutMs: 0 }));

test("curl -T - of 1 GB: 413 41301 while it streams, RSS bounded", async () => {
  Bun.gc(true);
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => void (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const curl = Bun.spawn(
    ["sh", "-c", `head -c ${GB} /dev/zero | curl -sS -w '\\n%{http_code}' -T - -H 'Filename: huge.bin' http://127.0.0.1:${port}/door`],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [out] = await Promise.all([new Response(curl.stdout).text(), curl.exited]);
  clearInterval(sampler);
  const [body = "", status] = out.trimEnd().split("\n");
  expect(status).toBe("413");
  expect((JSON.parse(body) as { code: number }).code).toBe(41301);
  console.log(`files 1 GB upload: cut with 413; RSS grew ${((peak - before) / 2 ** 20).toFixed(0)} MB at most`);
  expect(peak - before).toBeLessThan(100 * 2 ** 20);
});
