// The ejabberd process: the Erlang VM started directly (not through ejabberdctl), waited on until
// it serves, stopped, all with bounded waits.
//
// Findings about Debian's ejabberd 23.01:
//  - `ejabberdctl foreground` run as root switches to the `ejabberd` user (su), who cannot write
//    our 0700 temp dir, so the test bed runs `erl` itself with the arguments ejabberdctl would
//    pass: ERL_LIBS pointing at the ejabberd library, EJABBERD_CONFIG_PATH, `-mnesia dir`.
//  - Without `-sname` the VM starts no Erlang distribution (node nonode@nohost): no epmd, no
//    distribution port on any interface, and the Mnesia spool is private to this server.
//  - The VM stops cleanly on SIGTERM (init:stop) and logs "is started in the node" once ready;
//    the listeners open right after.
import { existsSync, openSync, closeSync } from "node:fs";
import type { Subprocess } from "bun";
import { settlesWithin, waitFor } from "./timeouts.ts";
import { trackProcess } from "./cleanup.ts";
import type { EjabberdPaths } from "./ejabberd-config.ts";
import { canConnect, logTail, readIfExists } from "./ejabberd-log.ts";

const READY_TIMEOUT_MS = 45_000;
const POLL_INTERVAL_MS = 50;
const STOP_GRACE_MS = 10_000;
const KILL_WAIT_MS = 2_000;
const EJABBERD_LIBS = "/usr/lib/x86_64-linux-gnu";

export interface EjabberdBinaries {
  erl: string;
  libs: string;
}

/** Fail loudly (never skip): a missing server must break CI, not hide tests. */
export function findEjabberd(): EjabberdBinaries {
  const PATH = process.env.PATH ?? "";
  const erl = Bun.which("erl", { PATH });
  const lib = [...new Bun.Glob("ejabberd-*/ebin/ejabberd.app").scanSync({ cwd: EJABBERD_LIBS })][0];
  if (erl === null || lib === undefined || !existsSync(`${EJABBERD_LIBS}/${lib}`)) {
    throw new Error(
      "ejabberd is not installed: run `make deps` (Debian: apt-get install ejabberd); the tests need erl and the ejabberd library in " +
        EJABBERD_LIBS,
    );
  }
  return { erl, libs: EJABBERD_LIBS };
}

/**
 * The watchdog, evaluated in the VM: once the test runner's pid is gone (bun test fires no exit
 * handlers, a SIGKILLed runner runs nothing), the server stops itself within a second.
 */
function watchdog(parentPid: number): string {
  return `W = fun Loop() -> timer:sleep(1000), case file:read_file_info("/proc/${parentPid}") of {ok, _} -> Loop(); _ -> logger:warning("Test runner (pid ${parentPid}) is gone; shutting down"), init:stop() end end, spawn(W).`;
}

export function spawnEjabberd(bin: EjabberdBinaries, paths: EjabberdPaths, dir: string): Subprocess {
  const out = openSync(paths.consoleLog, "a");
  try {
    // No scheduler busy-waiting (+sbwt none and its dirty-scheduler twins): an idle Erlang
    // scheduler spins before it sleeps, which on two shared cores takes the CPU from the test
    // runner and the gateway. With two CPU burners running, ejabberd started in 5-7 s without the
    // spinning and in 29-35 s with it.
    const cmd = [
      bin.erl,
      "-noinput",
      "+K",
      "true",
      "+sbwt",
      "none",
      "+sbwtdcpu",
      "none",
      "+sbwtdio",
      "none",
      "-mnesia",
      "dir",
      `"${paths.spoolDir}"`,
      "-s",
      "ejabberd",
      "-eval",
      watchdog(process.pid),
    ];
    const env = {
      ...process.env,
      ERL_LIBS: bin.libs,
      EJABBERD_CONFIG_PATH: paths.configFile,
      EJABBERD_LOG_PATH: paths.logFile,
      ERL_CRASH_DUMP: `${dir}/erl_crash.dump`,
      HOME: dir,
    };
    const proc = Bun.spawn(cmd, { cwd: dir, env, stdin: "ignore", stdout: out, stderr: out });
    trackProcess(proc);
    return proc;
  } finally {
    closeSync(out);
  }
}

export interface ReadyTarget {
  ports: number[];
  paths: EjabberdPaths;
  logOffset: number;
}

/** Ready = the log says started and every listener accepts TCP. */
export async function waitUntilReady(proc: Subprocess, t: ReadyTarget): Promise<void> {
  const serving = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw await startError(t.paths, `exited during startup (code ${proc.exitCode ?? proc.signalCode})`);
    }
    const log = (await readIfExists(t.paths.logFile)).slice(t.logOffset);
    if (/\[(critical|error)\].*(config|listen|eaddrinuse)/i.test(log)) throw await startError(t.paths, "reported a start-up error");
    return log.includes("is started in the node") && (await Promise.all(t.ports.map((p) => canConnect(p)))).every(Boolean);
  };
  const what = `ejabberd to serve ports ${t.ports.join("/")}`;
  await waitFor(serving, READY_TIMEOUT_MS, what, () => startContext(t.paths), POLL_INTERVAL_MS);
}

async function startContext(paths: EjabberdPaths): Promise<string> {
  return `config ${paths.configFile}\n--- log tail ---\n${await logTail(paths)}`;
}

async function startError(paths: EjabberdPaths, reason: string): Promise<Error> {
  return new Error(`ejabberd ${reason}; ${await startContext(paths)}`);
}

/** SIGTERM (the VM runs init:stop), wait a bounded time, then SIGKILL. */
export async function terminate(proc: Subprocess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill("SIGTERM");
  if (await settlesWithin(proc.exited, STOP_GRACE_MS)) return;
  proc.kill("SIGKILL");
  if (!(await settlesWithin(proc.exited, KILL_WAIT_MS)))
    throw new Error(`ejabberd pid ${proc.pid} survived SIGKILL for ${KILL_WAIT_MS} ms`);
}
