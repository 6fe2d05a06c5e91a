// `make demo` prints curl commands that work: run the demo, run each command it prints, and
// check what bob reports receiving. Its room survives its own examples, the user's routes.yaml
// survives a restart, and Ctrl-C stops everything promptly. Each run works in its own directory
// (DEMO_DIR), never in the checkout's .demo/.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FileSink, Subprocess } from "bun";
import { freePort } from "../../testbed/ports.ts";
import { settlesWithin } from "../../testbed/timeouts.ts";

const ROOT = join(import.meta.dir, "../..");
/** A deadline for "it never exits", not a timing assertion: a prompt stop takes well under a second. */
const EXIT_BOUND_MS = 8_000;
const dir = mkdtempSync(join(tmpdir(), "stanzagate-demo-"));
const routesFile = join(dir, "routes.yaml");
let demo: Demo;

beforeAll(async () => {
  demo = await startDemo();
}, 60_000);

afterAll(async () => {
  demo.proc.kill("SIGTERM");
  await demo.proc.exited;
  rmSync(dir, { recursive: true, force: true });
});

interface Demo {
  proc: Subprocess<"pipe", "pipe", "inherit">;
  output: ReturnType<typeof accumulate>;
  /** The gateway's pid, from the `kill -HUP <pid>` the demo prints. */
  gatewayPid: number;
  type(line: string): Promise<void>;
}

/**
 * The demo in a process group of its own (as a terminal runs it), so that a SIGINT to the group
 * reaches the demo, its Prosody and its gateway at once, as Ctrl-C does.
 */
async function startDemo(env: Record<string, string> = {}): Promise<Demo> {
  const proc = Bun.spawn([process.execPath, join(ROOT, "scripts/demo.ts")], {
    cwd: ROOT,
    env: { ...process.env, DEMO_DIR: dir, DEMO_HTTP_PORT: String(await freePort()), DEMO_SECONDS: "90", ...env },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
    detached: true,
  });
  const output = accumulate(proc.stdout);
  expect(await output.until("Ctrl-C to stop.", 45_000)).toBe(true);
  const gatewayPid = Number(/kill -HUP (\d+)/.exec(output.text())?.[1]);
  const stdin = proc.stdin as FileSink;
  const type = async (line: string) => {
    stdin.write(`${line}\n`);
    await stdin.flush();
  };
  return { proc, output, gatewayPid, type };
}

/**
 * Everything a stream ever yields, read by one reader for the stream's whole life, so output that
 * arrives while nobody waits is kept; `until` waits for a marker in what has accumulated.
 */
function accumulate(stream: ReadableStream<Uint8Array>): {
  text(): string;
  until(marker: string | ((out: string) => boolean), timeoutMs: number): Promise<boolean>;
} {
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
        const seen = () => (typeof marker === "string" ? out.includes(marker) : marker(out));
        const check = () => {
          if (!seen() && !ended) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(seen());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          resolve(seen());
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

function printedCommands(output: string): string[] {
  return output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("curl "));
}

function curl(command: string): { status: string; body: string } {
  const run = Bun.spawnSync(["sh", "-c", `${command} -w '\\n%{http_code}'`]);
  const lines = run.stdout.toString().trimEnd().split("\n");
  return { status: lines.pop() ?? "", body: lines.join("\n") };
}

function occurrences(text: string, marker: string): number {
  return text.split(marker).length - 1;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("every curl command the demo prints succeeds, and bob sees the results", async () => {
  const commands = printedCommands(demo.output.text());
  expect(commands.length).toBeGreaterThanOrEqual(7);
  for (const command of commands) {
    expect({ command, status: curl(command).status }).toEqual({ command, status: expect.stringMatching(/^20[012]$/) });
  }
  for (const text of [
    "bob was kicked out of room@muc.localhost (demo)",
    ": disk full",
    ": Server@host has just crashed!",
    ": hello from a form",
    ": hello from JSON",
  ]) {
    expect({ text, seen: await demo.output.until(text, 10_000) }).toEqual({ text, seen: true });
  }
  // The bot: what the demo says to type, typed, answers from the demo's sensor.
  expect(demo.output.text()).toContain("temp kitchen");
  await demo.type("temp kitchen");
  expect(await demo.output.until(": kitchen: 21.5 °C", 10_000)).toBe(true);
});

test("the README's /version/localhost example answers, the demo's Prosody loading mod_version", () => {
  const command = printedCommands(demo.output.text()).find((c) => c.includes("/version/localhost"));
  expect(command).toBeDefined();
  const answer = curl(command ?? "");
  expect(answer.status).toBe("200");
  expect(JSON.parse(answer.body)).toEqual({ name: "Prosody", version: expect.stringMatching(/^\d+\.\d+/), os: expect.any(String) });
});

test("the kick example leaves the room in place: bob enters it again and can be kicked again", async () => {
  const back = "bob is back in room@muc.localhost";
  expect(await demo.output.until(back, 10_000)).toBe(true);
  const kick = printedCommands(demo.output.text()).find((c) => c.includes("/muc_kick"));
  expect(curl(kick ?? "").status).toBe("200");
  expect(await demo.output.until((out) => occurrences(out, back) === 2, 10_000)).toBe(true);
});

test("the bot enters the demo's room once rooms: is uncommented and the gateway reloaded, and answers bob there", async () => {
  const text = readFileSync(routesFile, "utf8");
  expect(text).toContain("    # rooms: [{ jid: room@muc.localhost }]");
  writeFileSync(routesFile, text.replace("    # rooms:", "    rooms:"));
  process.kill(demo.gatewayPid, "SIGHUP");
  expect(await demo.output.until("bob sees house enter room@muc.localhost", 15_000)).toBe(true);
  // Non-anonymous: the bot reads bob's real JID and takes his command (allow: ["*@localhost"]).
  await demo.type("> house: ping");
  expect(await demo.output.until("bob received from room@muc.localhost/house: Bob: pong", 10_000)).toBe(true);
});

test("Ctrl-C (SIGINT to the demo's process group) stops the demo and its gateway within the bound", async () => {
  process.kill(-demo.proc.pid, "SIGINT");
  expect(await settlesWithin(demo.proc.exited, EXIT_BOUND_MS)).toBe(true);
  expect(demo.proc.exitCode).toBe(0);
  expect(isAlive(demo.gatewayPid)).toBe(false);
});

test("the next run keeps the user's routes.yaml: the bot is in the room from the start", async () => {
  demo = await startDemo();
  expect(demo.output.text()).toContain("is yours, kept from an earlier run");
  expect(readFileSync(routesFile, "utf8")).toContain("    rooms: [{ jid: room@muc.localhost }]");
  expect(await demo.output.until("bob sees house enter room@muc.localhost", 15_000)).toBe(true);
}, 60_000);
