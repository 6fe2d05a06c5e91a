// Nothing a test bed started outlives the test process: exit handlers kill the servers (Prosody,
// ejabberd, the tests' proxies) and delete their temp dirs. These handlers serve `bun run` (the
// benchmark); under `bun test` they never fire and each server's watchdog does the job
// (prosody-watchdog.ts; ejabberd-process.ts evaluates its own in the VM).
import { rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { Subprocess } from "bun";

const liveProcesses = new Set<Subprocess>();
const liveDirs = new Set<string>();
let cleanupInstalled = false;

export function trackProcess(proc: Subprocess): void {
  liveProcesses.add(proc);
}

export function forgetProcess(proc: Subprocess): void {
  liveProcesses.delete(proc);
}

/**
 * `bun test` runs no exit handler and a SIGKILLed runner runs nothing: a watchdog shell ends the
 * server `pid` (Alertmanager, mosquitto) once the runner is gone (as prosody-watchdog.ts does for Prosody).
 */
export function watchRunner(pid: number): void {
  const watchdog = Bun.spawn(
    ["sh", "-c", `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${pid} 2>/dev/null; do sleep 1; done; kill ${pid} 2>/dev/null`],
    { stdin: "ignore", stdout: "ignore", stderr: "ignore" },
  );
  watchdog.unref();
}

/** STANZAGATE_KEEP_PROSODY=1 keeps temp dirs (config, log, data) for post-mortems. */
function keepDirs(): boolean {
  return process.env.STANZAGATE_KEEP_PROSODY === "1";
}

/** Delete a temp dir now (unless kept for a post-mortem); the exit handlers forget it. */
export async function removeDir(dir: string): Promise<void> {
  if (!keepDirs()) await rm(dir, { recursive: true, force: true });
  liveDirs.delete(dir);
}

export function registerForCleanup(dir: string): void {
  liveDirs.add(dir);
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once("exit", cleanupNow);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      // A script with its own handler (e.g. a graceful demo shutdown) owns the
      // exit; killing the servers under it would break that. 'exit' and the watchdog
      // still clean up afterwards.
      if (process.listenerCount(signal) > 1) return;
      cleanupNow();
      process.exit(128 + signalNumber(signal));
    });
  }
}

/** Synchronous on purpose: 'exit' handlers cannot await. */
function cleanupNow(): void {
  for (const proc of liveProcesses) proc.kill("SIGKILL");
  liveProcesses.clear();
  if (!keepDirs()) for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  liveDirs.clear();
}

function signalNumber(signal: "SIGINT" | "SIGTERM" | "SIGHUP"): number {
  return { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[signal];
}
