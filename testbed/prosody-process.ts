// The Prosody process: find the binaries, spawn it, wait until it serves, stop it,
// all with bounded waits.
//
// Finding about Prosody 0.12.3: `prosody -F --config FILE` works (0.12 parses --config).
// The config option `daemonize = false` still works but logs a deprecation warning,
// so we pass -F.
import { openSync, closeSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createConnection } from "node:net";
import type { Subprocess } from "bun";
import { settlesWithin, waitFor } from "./timeouts.ts";
import { LOOPBACK, type ProsodyPaths } from "./prosody-config.ts";
import { trackProcess } from "./cleanup.ts";

const READY_TIMEOUT_MS = 15_000;
const POLL_INTERVAL_MS = 50;
const STOP_GRACE_MS = 5_000;
const KILL_WAIT_MS = 2_000;

export interface Binaries {
  prosody: string;
  prosodyctl: string;
}

/** Fail loudly (never skip): a missing server must break CI, not hide tests. */
export function findBinaries(): Binaries {
  // Pass PATH explicitly: Bun.which otherwise ignores changes made at run time.
  const PATH = process.env.PATH ?? "";
  const prosody = Bun.which("prosody", { PATH });
  const prosodyctl = Bun.which("prosodyctl", { PATH });
  if (prosody === null || prosodyctl === null) {
    throw new Error(
      "Prosody is not installed: run `make deps` (Debian: apt-get install prosody prosody-modules); " +
        "the real-server tests need /usr/bin/prosody and /usr/bin/prosodyctl",
    );
  }
  return { prosody, prosodyctl };
}

/** Start `prosody -F` in `dir`; the exit handlers of cleanup.ts know about it. */
export function spawnProsody(prosody: string, paths: ProsodyPaths, dir: string): Subprocess {
  // Console output goes to a file too: config syntax errors only show up there.
  const out = openSync(paths.consoleLog, "a");
  try {
    const proc = Bun.spawn([prosody, "-F", "--config", paths.configFile], {
      cwd: dir,
      stdin: "ignore",
      stdout: out,
      stderr: out,
    });
    trackProcess(proc);
    return proc;
  } finally {
    closeSync(out); // the child has its own copy of the descriptor
  }
}

export interface ReadyTarget {
  c2sPort: number;
  componentPort: number;
  paths: ProsodyPaths;
  /** Log length when this process started, so restarts ignore old lines. */
  logOffset: number;
}

/**
 * Ready = both ports accept TCP. Prosody loads every host synchronously before
 * its event loop starts, so a connection accepted now is served fully configured.
 */
export async function waitUntilReady(proc: Subprocess, t: ReadyTarget): Promise<void> {
  const serving = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw await startError(t.paths, `exited during startup (code ${proc.exitCode ?? proc.signalCode})`);
    }
    const [c2s, component] = await Promise.all([canConnect(t.c2sPort), canConnect(t.componentPort)]);
    if (c2s && component) return true;
    if ((await readIfExists(t.paths.logFile)).slice(t.logOffset).includes("Failed to open server port")) {
      throw await startError(t.paths, "could not bind its ports (taken by another process?)");
    }
    return false;
  };
  const what = `Prosody's ports ${t.c2sPort}/${t.componentPort} to open`;
  await waitFor(serving, READY_TIMEOUT_MS, what, () => startContext(t.paths), POLL_INTERVAL_MS);
}

async function startContext(paths: ProsodyPaths): Promise<string> {
  return `config ${paths.configFile}\n--- log tail ---\n${await logTail(paths)}`;
}

async function startError(paths: ProsodyPaths, reason: string): Promise<Error> {
  return new Error(`Prosody ${reason}; ${await startContext(paths)}`);
}

/** SIGTERM, wait a bounded time for a clean shutdown, then SIGKILL. */
export async function terminate(proc: Subprocess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill("SIGTERM");
  if (await exitsWithin(proc, STOP_GRACE_MS)) return;
  proc.kill("SIGKILL");
  if (!(await exitsWithin(proc, KILL_WAIT_MS))) {
    throw new Error(`Prosody pid ${proc.pid} survived SIGKILL for ${KILL_WAIT_MS} ms`);
  }
}

function exitsWithin(proc: Subprocess, ms: number): Promise<boolean> {
  return settlesWithin(proc.exited, ms);
}

/** One bounded TCP connect attempt; true if the port accepted. */
function canConnect(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: LOOPBACK, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** How long the log is now; lines after this offset belong to the next process. */
export async function logLength(paths: ProsodyPaths): Promise<number> {
  return (await readIfExists(paths.logFile)).length;
}

/** The last lines of Prosody's log and console output, for failure messages. */
export async function logTail(paths: ProsodyPaths, lines = 40): Promise<string> {
  const log = await readIfExists(paths.logFile);
  const console = await readIfExists(paths.consoleLog);
  return [lastLines(log, lines), lastLines(console, 10)].filter((s) => s !== "").join("\n--- console ---\n");
}

async function readIfExists(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return "";
  }
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}
