// A throw-away Prosody 0.12 for tests: its own temp dir, config, data and log,
// free ports on 127.0.0.1 only, no TLS, no s2s. Every wait is bounded and every
// process started here dies with the test process (see the watchdog below).
//
// Findings about Prosody 0.12.3 / prosody-modules that shaped the config below:
//  - `prosody -F --config FILE` works (0.12 parses --config). The config option
//    `daemonize = false` still works but logs a deprecation warning, so we pass -F.
//  - `prosodyctl --config FILE register USER HOST PASSWORD` works with a custom
//    config. As root it would setuid to the `prosody` user (who cannot write our
//    0700 temp dir) unless the config says `run_as_root = true`.
//  - mod_privilege (urn:xmpp:privilege:2) needs "privilege" in modules_enabled on
//    the VirtualHost AND on the external Component section: the advertisement is
//    sent from the 'component-authenticated' event, which fires on the component's
//    host. With the VirtualHost alone the component is privileged but never told.
//  - MUC owner rights for the gateway: mod_muc honours `admins` set on the MUC
//    Component itself (mod_authz_internal reads it with get_option_inherited_set,
//    i.e. global + component). `component_admins_as_room_owners` defaults to true,
//    so an admin's affiliation is "owner" in every room and it joins as moderator.
//    The affiliation is looked up by bare JID, so "gateway.localhost" covers
//    stanzas from the domain itself, not from user@gateway.localhost.
//    A component NOT listed there joins as affiliation none / role participant.
//  - mod_privilege quirk: every c2s user, privileged or not, gets an empty
//    <message from=host><privilege xmlns="urn:xmpp:privilege:2"/></message> after
//    initial presence (on_auth stores {} for them and {} is truthy in Lua).
//  - New MUC rooms are locked (XEP-0045 §10.1) until the owner configures them;
//    we keep that default (realistic) and joinRoom() in xmpp-client.ts unlocks.
import { mkdtemp, mkdir, rm, writeFile, readFile } from "node:fs/promises";
import { openSync, closeSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { Subprocess } from "bun";
import { freePorts } from "./ports.ts";
import { settlesWithin } from "./timeouts.ts";

export type RosterPrivilege = "none" | "get" | "set" | "both";
export type MessagePrivilege = "none" | "outgoing";
export type PresencePrivilege = "none" | "managed_entity" | "roster";

/** XEP-0356 permissions granted to the gateway component (mod_privilege syntax). */
export interface Privileges {
  roster?: RosterPrivilege;
  message?: MessagePrivilege;
  presence?: PresencePrivilege;
}

export type ProsodyLogLevel = "debug" | "info" | "warn" | "error";

export interface ProsodyOptions {
  /** The VirtualHost; default "localhost". */
  host?: string;
  /** MUC service; default `muc.<host>`. */
  mucDomain?: string;
  /** The gateway's XEP-0114 component domain; default `gateway.<host>`. */
  componentDomain?: string;
  /** XEP-0114 shared secret; default random. */
  componentSecret?: string;
  /** Extra MUC admins (room owners everywhere), besides the component domain. */
  mucAdmins?: string[];
  /** Gateway privileges; default roster both / message outgoing / presence managed_entity; null = none at all. */
  privileges?: Privileges | null;
  /** Extra modules for the VirtualHost. */
  extraModules?: string[];
  /** Lua inserted verbatim in the global section, before the VirtualHost (Prosody has no way back to it later). */
  extraGlobalConfig?: string;
  /**
   * Lua appended verbatim at the end, i.e. inside the gateway's Component section
   * unless it opens its own: `Component "x.localhost"` for another component, or
   * `VirtualHost "localhost"` again to add options to the host (reopening works).
   */
  extraConfig?: string;
  /** username -> password; default alice, bob, carol. */
  users?: Record<string, string>;
  /** Prosody log level in `logFile`; default "info" (debug slows benchmarks). */
  logLevel?: ProsodyLogLevel;
  /**
   * SCRAM iterations for new accounts; default 256. Prosody's own default (10000)
   * costs @xmpp/client 150-500 ms per login, computed with async WebCrypto HMACs.
   */
  scramIterations?: number;
}

export interface Prosody {
  readonly host: string;
  readonly mucDomain: string;
  readonly componentDomain: string;
  readonly componentSecret: string;
  readonly c2sPort: number;
  readonly componentPort: number;
  readonly httpPort: number;
  /** Temp dir holding config, data, logs and pidfile. */
  readonly dir: string;
  readonly configFile: string;
  readonly logFile: string;
  /** Pid of the running server, null while stopped. Changes on restart. */
  readonly pid: number | null;
  /** Registered users, username -> password. */
  readonly users: Readonly<Record<string, string>>;
  /** Stop the server and delete the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Stop then start again: same ports, same data (accounts, offline messages, rooms). */
  restart(): Promise<void>;
  /** Stop the process but keep everything on disk. */
  stopProcess(): Promise<void>;
  /** Start the process again with the existing config and data; waits until ready. */
  startProcess(): Promise<void>;
  /** Register one more account (works while running or stopped). */
  addUser(username: string, password: string): Promise<void>;
  /** The last lines of Prosody's log and console output, for failure messages. */
  logTail(lines?: number): Promise<string>;
}

const DEFAULT_USERS: Readonly<Record<string, string>> = { alice: "alice-pw", bob: "bob-pw", carol: "carol-pw" };
const DEFAULT_PRIVILEGES: Privileges = { roster: "both", message: "outgoing", presence: "managed_entity" };
const DEFAULT_SCRAM_ITERATIONS = 256;
const READY_TIMEOUT_MS = 15_000;
const POLL_INTERVAL_MS = 50;
const STOP_GRACE_MS = 5_000;
const KILL_WAIT_MS = 2_000;
const PROSODYCTL_TIMEOUT_MS = 10_000;
const LOOPBACK = "127.0.0.1";

/** Everything needed to render the config; all defaults resolved. */
interface ProsodySettings {
  host: string;
  mucDomain: string;
  componentDomain: string;
  componentSecret: string;
  mucAdmins: string[];
  privileges: Privileges | null;
  extraModules: string[];
  extraGlobalConfig: string;
  extraConfig: string;
  logLevel: ProsodyLogLevel;
  scramIterations: number;
  c2sPort: number;
  componentPort: number;
  httpPort: number;
  dir: string;
}

interface Binaries {
  prosody: string;
  prosodyctl: string;
}

export async function startProsody(opts: ProsodyOptions = {}): Promise<Prosody> {
  const binaries = findBinaries();
  const dir = await mkdtemp(join(tmpdir(), "stanzagate-prosody-"));
  registerForCleanup(dir);
  const settings = await resolveSettings(opts, dir);
  const users = { ...(opts.users ?? DEFAULT_USERS) };
  const server = new ProsodyServer(settings, binaries, users);
  try {
    await server.prepare();
    await server.startProcess();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** Fail loudly (never skip): a missing server must break CI, not hide tests. */
function findBinaries(): Binaries {
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

async function resolveSettings(opts: ProsodyOptions, dir: string): Promise<ProsodySettings> {
  const host = opts.host ?? "localhost";
  const [c2sPort, componentPort, httpPort] = await freePorts(3);
  if (c2sPort === undefined || componentPort === undefined || httpPort === undefined) {
    throw new Error("startProsody: could not allocate ports");
  }
  return {
    host,
    mucDomain: opts.mucDomain ?? `muc.${host}`,
    componentDomain: opts.componentDomain ?? `gateway.${host}`,
    componentSecret: opts.componentSecret ?? randomBytes(16).toString("hex"),
    mucAdmins: opts.mucAdmins ?? [],
    // `undefined` means "default grant"; only an explicit null removes privileges.
    privileges: opts.privileges === undefined ? DEFAULT_PRIVILEGES : opts.privileges,
    extraModules: opts.extraModules ?? [],
    extraGlobalConfig: opts.extraGlobalConfig ?? "",
    extraConfig: opts.extraConfig ?? "",
    logLevel: opts.logLevel ?? "info",
    scramIterations: opts.scramIterations ?? DEFAULT_SCRAM_ITERATIONS,
    c2sPort,
    componentPort,
    httpPort,
    dir,
  };
}

// ---------------------------------------------------------------------------
// Config rendering

/**
 * `bun test` fires neither 'exit' nor 'beforeExit', and a SIGKILLed runner runs
 * nothing at all, so the server watches its test runner itself: once that pid is
 * gone, Prosody shuts down within a second. Loaded on the VirtualHost only, so
 * there is exactly one timer.
 */
const WATCHDOG_MODULE = "stanzagate_watchdog";
const WATCHDOG_SOURCE = `-- Generated by test/helpers/prosody.ts: stop when the test runner is gone.
local signal = require "util.signal";
local getpid = require "util.pposix".getpid;
local parent_pid = module:get_option_number("stanzagate_parent_pid");
if not parent_pid then return; end
module:add_timer(1, function ()
\tif signal.kill(parent_pid, 0) ~= 0 then
\t\tmodule:log("warn", "Test runner (pid %d) is gone; shutting down", parent_pid);
\t\t-- SIGTERM to ourselves: prosody.shutdown() cannot be called from a timer (needs an async context).
\t\tsignal.kill(getpid(), signal.SIGTERM);
\t\treturn nil;
\tend
\treturn 1; -- check again in a second
end);
`;

/** A Lua string literal; escapes everything that could end or break the literal. */
function lua(value: string): string {
  const escaped = value.replace(/[\\"\x00-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString().padStart(3, "0")}`);
  return `"${escaped}"`;
}

function luaList(values: readonly string[]): string {
  return `{ ${values.map(lua).join("; ")} }`;
}

/** The privileged_entities entry; "none" values are omitted, as mod_privilege treats them alike. */
function privilegeEntry(componentDomain: string, privileges: Privileges): string {
  const fields: string[] = [];
  for (const key of ["roster", "message", "presence"] as const) {
    const value = privileges[key];
    if (value !== undefined && value !== "none") fields.push(`${key} = ${lua(value)};`);
  }
  return `privileged_entities = { [${lua(componentDomain)}] = { ${fields.join(" ")} } }`;
}

function renderProsodyConfig(s: ProsodySettings): string {
  const hostModules = [WATCHDOG_MODULE, ...(s.privileges === null ? [] : ["privilege"]), ...s.extraModules];
  const paths = prosodyPaths(s.dir);
  return [
    "-- Generated by test/helpers/prosody.ts; do not edit, it is rewritten on every run.",
    "run_as_root = true -- prosodyctl would otherwise setuid to 'prosody', who cannot write this dir",
    `pidfile = ${lua(paths.pidFile)}`,
    `data_path = ${lua(paths.dataDir)}`,
    `certificates = ${lua(paths.certsDir)} -- empty: silences the missing cert dir error`,
    `log = { ${s.logLevel} = ${lua(paths.logFile)} }`,
    `plugin_paths = { ${lua(paths.pluginDir)} }`,
    `stanzagate_parent_pid = ${process.pid} -- watched by mod_${WATCHDOG_MODULE}`,
    "",
    "-- Loopback only, fixed ports chosen by freePorts() so restart() can reuse them.",
    `interfaces = { ${lua(LOOPBACK)} }`,
    `local_interfaces = { ${lua(LOOPBACK)} }`,
    `c2s_interfaces = { ${lua(LOOPBACK)} }`,
    `c2s_ports = { ${s.c2sPort} }`,
    "c2s_direct_tls_ports = {}",
    "legacy_ssl_ports = {}",
    "s2s_ports = {}",
    `component_interfaces = { ${lua(LOOPBACK)} }`,
    `component_ports = { ${s.componentPort} }`,
    `http_interfaces = { ${lua(LOOPBACK)} }`,
    `http_ports = { ${s.httpPort} }`,
    "https_ports = {}",
    `http_default_host = ${lua(s.host)}`,
    "",
    "-- No TLS anywhere; SCRAM still works over plain TCP with internal_hashed.",
    "c2s_require_encryption = false",
    "s2s_require_encryption = false",
    "allow_unencrypted_plain_auth = true",
    'authentication = "internal_hashed"',
    `default_iteration_count = ${Math.trunc(s.scramIterations)} -- test speed, not security`,
    'storage = "internal"',
    'modules_enabled = { "roster"; "saslauth"; "disco"; "ping"; "carbons"; "private" }',
    'modules_disabled = { "s2s"; "s2s_auth_certs" } -- no federation in tests',
    s.extraGlobalConfig,
    "",
    `VirtualHost ${lua(s.host)}`,
    `  modules_enabled = ${luaList(hostModules)}`,
    ...(s.privileges === null ? [] : [`  ${privilegeEntry(s.componentDomain, s.privileges)}`]),
    "",
    `Component ${lua(s.mucDomain)} "muc"`,
    `  admins = ${luaList([s.componentDomain, ...s.mucAdmins])}`,
    "",
    `Component ${lua(s.componentDomain)}`,
    `  component_secret = ${lua(s.componentSecret)}`,
    ...(s.privileges === null ? [] : ['  modules_enabled = { "privilege" } -- else no advertisement is sent']),
    "",
    s.extraConfig,
    "",
  ].join("\n");
}

interface ProsodyPaths {
  configFile: string;
  dataDir: string;
  certsDir: string;
  logFile: string;
  consoleLog: string;
  pidFile: string;
  pluginDir: string;
}

function prosodyPaths(dir: string): ProsodyPaths {
  return {
    configFile: join(dir, "prosody.cfg.lua"),
    dataDir: join(dir, "data"),
    certsDir: join(dir, "certs"),
    logFile: join(dir, "prosody.log"),
    consoleLog: join(dir, "console.log"),
    pidFile: join(dir, "prosody.pid"),
    pluginDir: join(dir, "plugins"),
  };
}

// ---------------------------------------------------------------------------
// The running server

class ProsodyServer implements Prosody {
  readonly host: string;
  readonly mucDomain: string;
  readonly componentDomain: string;
  readonly componentSecret: string;
  readonly c2sPort: number;
  readonly componentPort: number;
  readonly httpPort: number;
  readonly dir: string;
  readonly configFile: string;
  readonly logFile: string;
  private readonly paths: ProsodyPaths;
  private readonly registered: Record<string, string> = {};
  private proc: Subprocess | null = null;
  /** Log length when the current process started, so restarts ignore old lines. */
  private logOffset = 0;
  private removed = false;

  constructor(
    private readonly settings: ProsodySettings,
    private readonly binaries: Binaries,
    private readonly initialUsers: Record<string, string>,
  ) {
    this.host = settings.host;
    this.mucDomain = settings.mucDomain;
    this.componentDomain = settings.componentDomain;
    this.componentSecret = settings.componentSecret;
    this.c2sPort = settings.c2sPort;
    this.componentPort = settings.componentPort;
    this.httpPort = settings.httpPort;
    this.dir = settings.dir;
    this.paths = prosodyPaths(settings.dir);
    this.configFile = this.paths.configFile;
    this.logFile = this.paths.logFile;
  }

  get pid(): number | null {
    return this.proc?.pid ?? null;
  }

  get users(): Readonly<Record<string, string>> {
    return this.registered;
  }

  /** Write the config and create the accounts; done once, before the first start. */
  async prepare(): Promise<void> {
    await mkdir(this.paths.dataDir, { recursive: true });
    await mkdir(this.paths.certsDir, { recursive: true });
    await mkdir(this.paths.pluginDir, { recursive: true });
    await writeFile(join(this.paths.pluginDir, `mod_${WATCHDOG_MODULE}.lua`), WATCHDOG_SOURCE);
    await writeFile(this.paths.configFile, renderProsodyConfig(this.settings));
    await Promise.all(Object.entries(this.initialUsers).map(([user, pw]) => this.addUser(user, pw)));
  }

  async addUser(username: string, password: string): Promise<void> {
    if (password === "") throw new Error(`addUser(${username}): prosodyctl cannot register an empty password`);
    const args = ["--config", this.configFile, "register", username, this.host, password];
    const result = await runBounded([this.binaries.prosodyctl, ...args], PROSODYCTL_TIMEOUT_MS);
    if (result.exitCode !== 0) {
      throw new Error(`prosodyctl register ${username}@${this.host} failed (${result.exitCode}): ${result.output}`);
    }
    this.registered[username] = password;
  }

  async startProcess(): Promise<void> {
    if (this.removed) throw new Error("Prosody was stopped and its directory removed; start a new one");
    if (this.proc !== null) return;
    this.logOffset = (await readIfExists(this.paths.logFile)).length;
    const proc = this.spawn();
    this.proc = proc;
    try {
      await this.waitUntilReady(proc);
    } catch (err) {
      await this.stopProcess();
      throw err;
    }
  }

  private spawn(): Subprocess {
    // Console output goes to a file too: config syntax errors only show up there.
    const out = openSync(this.paths.consoleLog, "a");
    try {
      const proc = Bun.spawn([this.binaries.prosody, "-F", "--config", this.configFile], {
        cwd: this.dir,
        stdin: "ignore",
        stdout: out,
        stderr: out,
      });
      liveProcesses.add(proc);
      return proc;
    } finally {
      closeSync(out); // the child has its own copy of the descriptor
    }
  }

  /**
   * Ready = both ports accept TCP. Prosody loads every host synchronously before
   * its event loop starts, so a connection accepted now is served fully configured.
   */
  private async waitUntilReady(proc: Subprocess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw await this.startError(`exited during startup (code ${proc.exitCode ?? proc.signalCode})`);
      }
      const [c2s, component] = await Promise.all([canConnect(this.c2sPort), canConnect(this.componentPort)]);
      if (c2s && component) return;
      if (await this.logMentions("Failed to open server port")) {
        throw await this.startError("could not bind its ports (taken by another process?)");
      }
      await Bun.sleep(POLL_INTERVAL_MS);
    }
    throw await this.startError(`ports ${this.c2sPort}/${this.componentPort} not open after ${READY_TIMEOUT_MS} ms`);
  }

  private async startError(reason: string): Promise<Error> {
    return new Error(`Prosody ${reason}; config ${this.configFile}\n--- log tail ---\n${await this.logTail()}`);
  }

  private async logMentions(text: string): Promise<boolean> {
    return (await readIfExists(this.paths.logFile)).slice(this.logOffset).includes(text);
  }

  async stopProcess(): Promise<void> {
    const proc = this.proc;
    if (proc === null) return;
    await terminate(proc);
    liveProcesses.delete(proc);
    this.proc = null;
  }

  async restart(): Promise<void> {
    await this.stopProcess();
    await this.startProcess();
  }

  async stop(): Promise<void> {
    await this.stopProcess();
    if (this.removed) return;
    this.removed = true;
    if (!keepDirs()) await rm(this.dir, { recursive: true, force: true });
    liveDirs.delete(this.dir);
  }

  async logTail(lines = 40): Promise<string> {
    const log = await readIfExists(this.paths.logFile);
    const console = await readIfExists(this.paths.consoleLog);
    return [lastLines(log, lines), lastLines(console, 10)].filter((s) => s !== "").join("\n--- console ---\n");
  }
}

// ---------------------------------------------------------------------------
// Process and socket utilities

/** SIGTERM, wait a bounded time for a clean shutdown, then SIGKILL. */
async function terminate(proc: Subprocess): Promise<void> {
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

interface RunResult {
  exitCode: number | null;
  output: string;
}

/** Run a short command, killing it if it outlives `ms` (prosodyctl may prompt on odd input). */
async function runBounded(cmd: string[], ms: number): Promise<RunResult> {
  const proc = Bun.spawn(cmd, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), ms);
  try {
    const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    const exitCode = await proc.exited;
    return { exitCode: proc.signalCode === null ? exitCode : null, output: `${stdout}${stderr}`.trim() };
  } finally {
    clearTimeout(timer);
  }
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

// ---------------------------------------------------------------------------
// Cleanup when the test process ends. These handlers serve `bun run` (the
// benchmark); under `bun test` they never fire and the watchdog module does the job.

const liveProcesses = new Set<Subprocess>();
const liveDirs = new Set<string>();
let cleanupInstalled = false;

/** STANZAGATE_KEEP_PROSODY=1 keeps temp dirs (config, log, data) for post-mortems. */
function keepDirs(): boolean {
  return process.env.STANZAGATE_KEEP_PROSODY === "1";
}

function registerForCleanup(dir: string): void {
  liveDirs.add(dir);
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once("exit", cleanupNow);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      // A script with its own handler (e.g. a graceful demo shutdown) owns the
      // exit; killing Prosody under it would break that. 'exit' and the watchdog
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
