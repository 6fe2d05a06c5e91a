// `make demo` prints curl commands that work: run the demo, run each command it prints, and
// check what bob reports receiving.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { freePort } from "../helpers/ports.ts";

const ROOT = join(import.meta.dir, "../..");
let demo: ReturnType<typeof Bun.spawn> | undefined;

afterAll(async () => {
  demo?.kill("SIGTERM");
  await demo?.exited;
});

test("every curl command the demo prints succeeds, and bob sees the results", async () => {
  const port = await freePort();
  demo = Bun.spawn([process.execPath, join(ROOT, "scripts/demo.ts")], {
    cwd: ROOT,
    env: { ...process.env, DEMO_HTTP_PORT: String(port), DEMO_SECONDS: "60" },
    stdout: "pipe",
    stderr: "inherit",
  });
  let out = "";
  const reader = (demo.stdout as ReadableStream<Uint8Array>).getReader();
  const readUntil = async (marker: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    // One read in flight at a time: a read that lost the race to the timer still gets the next
    // chunk, so it is kept for the next round instead of being dropped with its output.
    let pending: ReturnType<typeof reader.read> | undefined;
    while (!out.includes(marker) && Date.now() < deadline) {
      pending ??= reader.read();
      const chunk = await Promise.race([pending, Bun.sleep(500).then(() => undefined)]);
      if (!chunk) continue;
      pending = undefined;
      if (chunk.value) out += new TextDecoder().decode(chunk.value);
      if (chunk.done) break;
    }
    return out.includes(marker);
  };
  expect(await readUntil("Ctrl-C to stop.", 30_000)).toBe(true);
  const commands = out.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("curl "));
  expect(commands.length).toBeGreaterThanOrEqual(6);
  for (const command of commands) {
    const run = Bun.spawnSync(["sh", "-c", `${command} -o /dev/null -w '%{http_code}'`]);
    expect({ command, status: run.stdout.toString() }).toEqual({ command, status: expect.stringMatching(/^20[012]$/) });
  }
  expect(await readUntil("bob was kicked out of", 10_000)).toBe(true);
  for (const text of ["disk full", "Server@host has just crashed!", "hello from a form", "hello from JSON"]) expect(out).toContain(`: ${text}`);
}, 90_000);
