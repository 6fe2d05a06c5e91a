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
  // One reader drains stdout into `out` for the whole run: a read abandoned by a timeout would
  // swallow the chunk it later receives.
  void (async () => {
    for await (const chunk of demo.stdout as ReadableStream<Uint8Array>) out += new TextDecoder().decode(chunk);
  })();
  const readUntil = async (marker: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!out.includes(marker) && Date.now() < deadline && demo?.exitCode === null) await Bun.sleep(50);
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
