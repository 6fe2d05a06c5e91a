// `make demo` prints curl commands that work: run the demo, run each command it prints, and
// check what bob reports receiving.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { freePort } from "../../testbed/ports.ts";

const ROOT = join(import.meta.dir, "../..");
let demo: ReturnType<typeof Bun.spawn> | undefined;

afterAll(async () => {
  demo?.kill("SIGTERM");
  await demo?.exited;
});

/**
 * Everything a stream ever yields, read by one reader for the stream's whole life, so output that
 * arrives while nobody waits is kept; `until` waits for a marker in what has accumulated.
 */
function accumulate(stream: ReadableStream<Uint8Array>): { text(): string; until(marker: string, timeoutMs: number): Promise<boolean> } {
  let out = "";
  let ended = false;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      out += decoder.decode(chunk, { stream: true });
      wake();
    }
    ended = true;
    wake();
  })();
  return {
    text: () => out,
    until: (marker, timeoutMs) =>
      new Promise((resolve) => {
        const check = () => {
          if (!out.includes(marker) && !ended) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(out.includes(marker));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          resolve(out.includes(marker));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

test("every curl command the demo prints succeeds, and bob sees the results", async () => {
  const port = await freePort();
  demo = Bun.spawn([process.execPath, join(ROOT, "scripts/demo.ts")], {
    cwd: ROOT,
    env: { ...process.env, DEMO_HTTP_PORT: String(port), DEMO_SECONDS: "60" },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  const output = accumulate(demo.stdout as ReadableStream<Uint8Array>);
  expect(await output.until("Ctrl-C to stop.", 30_000)).toBe(true);
  const commands = output.text().split("\n").map((l) => l.trim()).filter((l) => l.startsWith("curl "));
  expect(commands.length).toBeGreaterThanOrEqual(6);
  for (const command of commands) {
    const run = Bun.spawnSync(["sh", "-c", `${command} -o /dev/null -w '%{http_code}'`]);
    expect({ command, status: run.stdout.toString() }).toEqual({ command, status: expect.stringMatching(/^20[012]$/) });
  }
  for (const text of ["bob was kicked out of", ": disk full", ": Server@host has just crashed!", ": hello from a form", ": hello from JSON"]) {
    expect({ text, seen: await output.until(text, 10_000) }).toEqual({ text, seen: true });
  }
  // The bot: what the demo says to type, typed, answers from the demo's sensor.
  expect(output.text()).toContain("temp kitchen");
  const stdin = demo.stdin as import("bun").FileSink;
  stdin.write("temp kitchen\n");
  await stdin.flush();
  expect(await output.until(": kitchen: 21.5 °C", 10_000)).toBe(true);
}, 90_000);
