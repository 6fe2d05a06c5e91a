// A PostgreSQL of the test bed's own (issue 26 §4): Debian's PostgreSQL 15 binaries, a cluster
// made by `initdb` in a temp dir, a free loopback port, its unix socket in its own dir, a user
// with a password; never the system service (its cluster, port 5432 and /var/run/postgresql are
// left alone).
//
// Findings about Debian's postgresql-15:
//  - initdb and postgres refuse to run as root ("cannot be run as root"); run as root, the test
//    bed runs them as the `postgres` system account with `setpriv` (which execs, unlike runuser,
//    so the pid we hold is the postmaster's and kill() reaches it) in a dir owned by it.
//  - fsync=off: durability across a power loss is not what tests measure, and on a shared
//    machine fsync dominates the time; a SIGKILLed server still loses nothing committed (the
//    kernel keeps the pages).
import { chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { removeDir, registerForCleanup, trackProcess, forgetProcess } from "./cleanup.ts";
import { freePort } from "./ports.ts";
import { settlesWithin, waitFor } from "./timeouts.ts";

const BIN = "/usr/lib/postgresql/15/bin";
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const USER = "stanzagate";
const DATABASE = "stanzagate";

export interface Postgres {
  /** postgres://stanzagate:<password>@127.0.0.1:<port>/stanzagate */
  readonly url: string;
  readonly port: number;
  readonly password: string;
  /** The dir of the server's unix socket (`host=` of a socket connection). */
  readonly socketDir: string;
  /** Stops (SIGTERM, a fast shutdown) and starts it again on the same data and port. */
  restart(): Promise<void>;
  /** SIGTERM, bounded, then SIGKILL; the data dir stays until stop(). */
  halt(): Promise<void>;
  /** Starts it again after halt() or kill(). */
  start(): Promise<void>;
  /** SIGKILL to the postmaster: what a crash looks like to clients. */
  kill(): Promise<void>;
  /** Stops the server and removes its dirs. */
  stop(): Promise<void>;
}

/** Fail loudly (never skip): a missing server must break CI, not hide tests. */
function findPostgres(): string {
  if (!Bun.file(join(BIN, "postgres")).size) {
    throw new Error(`PostgreSQL 15 is not installed: run \`make deps\` (Debian: apt-get install postgresql); the tests need ${BIN}`);
  }
  return BIN;
}

/** Root cannot run initdb/postgres: run as the postgres account, which must own the dir. */
function asOwner(dir: string): { prefix: string[]; own(path: string): void } {
  if (process.getuid?.() !== 0) return { prefix: [], own: () => {} };
  const uid = Number(Bun.spawnSync(["id", "-u", "postgres"]).stdout.toString().trim());
  const gid = Number(Bun.spawnSync(["id", "-g", "postgres"]).stdout.toString().trim());
  if (!Number.isInteger(uid) || uid === 0)
    throw new Error("running as root needs the `postgres` system account (apt-get install postgresql)");
  chownSync(dir, uid, gid);
  return {
    prefix: ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"],
    own: (path) => chownSync(path, uid, gid),
  };
}

export async function startPostgres(): Promise<Postgres> {
  const bin = findPostgres();
  const dir = mkdtempSync(join(tmpdir(), "stanzagate-pg-"));
  registerForCleanup(dir);
  const owner = asOwner(dir);
  const [data, socketDir] = [join(dir, "data"), join(dir, "socket")];
  for (const sub of [data, socketDir]) {
    mkdirSync(sub, { mode: 0o700 });
    owner.own(sub);
  }
  const password = Bun.hash(`${process.pid}:${Date.now()}:${Math.random()}`).toString(36);
  const pwfile = join(dir, "pwfile");
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  owner.own(pwfile);
  const init = Bun.spawnSync(
    [...owner.prefix, join(bin, "initdb"), "-D", data, "-U", USER, `--pwfile=${pwfile}`, "--auth=scram-sha-256", "-E", "UTF8", "--no-sync"],
    { cwd: dir, stdout: "pipe", stderr: "pipe" },
  );
  if (init.exitCode !== 0) throw new Error(`initdb failed: ${init.stderr.toString()}${init.stdout.toString()}`);
  const port = await freePort();
  const server = new PostgresProcess(bin, owner.prefix, data, socketDir, port, join(dir, "postgres.log"));
  await server.start();
  await server.createDatabase(password);
  const url = `postgres://${USER}:${password}@127.0.0.1:${port}/${DATABASE}`;
  return {
    url,
    port,
    password,
    socketDir,
    restart: async () => {
      await server.halt();
      await server.start();
    },
    halt: () => server.halt(),
    start: () => server.start(),
    kill: () => server.kill(),
    stop: async () => {
      await server.halt();
      await removeDir(dir);
    },
  };
}

class PostgresProcess {
  private proc: Subprocess | undefined;
  private watchdog: Subprocess | undefined;

  constructor(
    private readonly bin: string,
    private readonly prefix: string[],
    private readonly data: string,
    private readonly socketDir: string,
    readonly port: number,
    private readonly logFile: string,
  ) {}

  async start(): Promise<void> {
    const out = openSync(this.logFile, "a");
    try {
      // -c settings: loopback only, its own socket dir, no fsync (see the header).
      const settings = [`listen_addresses=127.0.0.1`, `port=${this.port}`, `unix_socket_directories=${this.socketDir}`];
      settings.push("fsync=off", "full_page_writes=off", "max_connections=200", "shared_buffers=32MB");
      const cmd = [...this.prefix, join(this.bin, "postgres"), "-D", this.data, ...settings.flatMap((s) => ["-c", s])];
      this.proc = Bun.spawn(cmd, { stdin: "ignore", stdout: out, stderr: out });
      trackProcess(this.proc);
    } finally {
      closeSync(out);
    }
    this.watchdog = watchOver(this.proc.pid);
    await this.ready(this.proc);
  }

  /** Ready = a connection over the socket is accepted (pg_isready), not merely the port open. */
  private async ready(proc: Subprocess): Promise<void> {
    const isReady = async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`PostgreSQL exited during startup\n${await this.tail()}`);
      const probe = Bun.spawn([join(this.bin, "pg_isready"), "-h", "127.0.0.1", "-p", String(this.port), "-q"]);
      return (await probe.exited) === 0;
    };
    await waitFor(isReady, READY_TIMEOUT_MS, `PostgreSQL on port ${this.port} to accept connections`, () => this.tail(), 100);
  }

  /** The database the url names, owned by the test user. */
  async createDatabase(password: string): Promise<void> {
    const admin = new Bun.SQL(`postgres://${USER}:${password}@127.0.0.1:${this.port}/postgres`);
    try {
      await admin.unsafe(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await admin.close();
    }
  }

  async halt(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    // SIGINT is PostgreSQL's fast shutdown: sessions are ended, nothing committed is lost.
    proc.kill("SIGINT");
    if (!(await settlesWithin(proc.exited, STOP_GRACE_MS))) await this.kill();
    this.forget(proc);
  }

  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    // Its children (backends, checkpointer...) notice the postmaster's death and exit; a new
    // postmaster refuses to start while one still holds the shared memory: wait for them.
    const children = childrenOf(proc.pid);
    proc.kill("SIGKILL");
    await proc.exited;
    this.forget(proc);
    await waitFor(() => !children.some(alive), READY_TIMEOUT_MS, "the killed PostgreSQL's children to exit", undefined, 50);
  }

  private forget(proc: Subprocess): void {
    forgetProcess(proc);
    this.watchdog?.kill("SIGKILL");
    this.watchdog = undefined;
    this.proc = undefined;
  }

  private async tail(): Promise<string> {
    const log = await readFile(this.logFile, "utf8").catch(() => "");
    return `--- ${this.logFile} ---\n${log.split("\n").slice(-30).join("\n")}`;
  }
}

function childrenOf(pid: number): number[] {
  const found = Bun.spawnSync(["pgrep", "-P", String(pid)]).stdout.toString();
  return found.split("\n").filter(Boolean).map(Number);
}

/** A zombie counts as gone: it holds no shared memory, and PID 1 may be slow to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/**
 * `bun test` runs no exit handlers and a SIGKILLed runner runs nothing: a shell watches the
 * runner and stops the server (fast shutdown) within a second once the runner is gone.
 */
function watchOver(postmaster: number): Subprocess {
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${postmaster} 2>/dev/null; do sleep 1; done; kill -INT ${postmaster} 2>/dev/null`;
  const proc = Bun.spawn(["sh", "-c", script], { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
  proc.unref();
  return proc;
}
