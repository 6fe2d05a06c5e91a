// A real MQTT broker (Debian's mosquitto 2.0) for the MQTT tests (issue 23 §6): started with its
// own config, data dir (persistence on, so a restart keeps sessions and queued QoS 1 messages),
// password file and free loopback ports, never as the system service, and stopped by pid. With
// `tls`, a second listener serves a certificate for `localhost` signed by a CA the test made with
// openssl (test/helpers/test-ca.ts).
//
//   const ca = makeTestCa("mqtt");
//   const broker = await startMosquitto({ users: { gateway: "s3cret" }, tls: { caFile: ca.caFile, ...ca.issue(["localhost"]) } });
//   await broker.pub("zigbee2mqtt/door", '{"contact":false}', { qos: 1 });
//   const seen = await broker.sub("stanzagate/+/status", { count: 1 });
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { forgetProcess, registerForCleanup, removeDir, trackProcess, watchRunner } from "./cleanup.ts";
import { freePorts } from "./ports.ts";
import { settlesWithin, waitFor } from "./timeouts.ts";

const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
const HOST = "127.0.0.1";

export interface MosquittoOptions {
  /** Users of the password file (made with `mosquitto_passwd -b`); none: anonymous clients allowed. */
  users?: Readonly<Record<string, string>>;
  /** A TLS listener too, with this certificate (for `localhost`) and key, signed by `caFile`. */
  tls?: TlsFiles;
}

interface TlsFiles {
  caFile: string;
  cert: string;
  key: string;
}

interface ClientOptions {
  qos?: 0 | 1 | 2;
  retain?: boolean;
  /** Log in as this user of `users` (default: the first one, if any). */
  user?: string;
  /** The client id (default: mosquitto's random one): the broker's log names the client by it. */
  id?: string;
}

export interface TestMosquitto {
  /** mqtt://127.0.0.1:PORT */
  url: string;
  /** mqtts://localhost:PORT when `tls` (its certificate is for localhost). */
  tlsUrl?: string | undefined;
  /** The CA certificate (PEM) that signed the TLS listener's, when `tls`. */
  caFile?: string | undefined;
  port: number;
  /** mosquitto_pub one message; resolves once the broker took it (QoS 1/2: acknowledged). */
  pub(topic: string, payload: string, options?: ClientOptions): Promise<void>;
  /** mosquitto_sub until `count` messages came (retained ones included): `topic payload` lines. */
  sub(filter: string, options: ClientOptions & { count: number; timeoutS?: number }): Promise<string[]>;
  /** The arguments that reach this broker as `user` with mosquitto_pub/sub (-h -p -u -P). */
  clientArgs(user?: string): string[];
  /** Its log so far, for the message of a failed wait. */
  log(): string;
  /** SIGTERM (the data saved), then started again on the same ports and data. */
  restart(): Promise<void>;
  /** SIGKILL, as a crash: what was not saved is lost, as with a real broker. */
  kill(): Promise<void>;
  /** Starts it again after kill() (same ports, config and data). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<TestMosquitto> {
  if (!Bun.which("mosquitto", { PATH: `${process.env.PATH ?? ""}:/usr/sbin` })) {
    throw new Error("mosquitto is not installed: apt-get install mosquitto mosquitto-clients (make test installs it)");
  }
  const dir = mkdtempSync(join(tmpdir(), "sg-mosquitto-"));
  registerForCleanup(dir);
  const [port = 0, tlsPort = 0] = await freePorts(2);
  const tls = options.tls;
  writeConfig(dir, { port, tlsPort, tls, users: options.users ?? {} });
  let proc: Subprocess | undefined;
  const users = Object.entries(options.users ?? {});
  const clientArgs = (user = users[0]?.[0]) => {
    const login = user === undefined ? [] : ["-u", user, "-P", options.users?.[user] ?? ""];
    return ["-h", HOST, "-p", String(port), ...login];
  };
  const log = () => readFileSync(join(dir, "mosquitto.log"), "utf8");
  const start = async () => {
    proc = spawn(dir);
    await waitFor(() => listening(proc, port), READY_TIMEOUT_MS, `mosquitto to listen on ${port}`, log);
  };
  const end = async (signal: "SIGTERM" | "SIGKILL") => {
    if (proc) await stopProcess(proc, signal);
  };
  const broker: TestMosquitto = {
    url: `mqtt://${HOST}:${port}`,
    tlsUrl: tls ? `mqtts://localhost:${tlsPort}` : undefined,
    caFile: tls?.caFile,
    port,
    pub: (topic, payload, o = {}) => runClient("mosquitto_pub", [...clientArgs(o.user), ...qosArgs(o), "-t", topic, "-m", payload]),
    sub: (filter, o) =>
      subscribe([...clientArgs(o.user), ...qosArgs(o), "-t", filter, "-v", "-C", String(o.count), "-W", String(o.timeoutS ?? 10)]),
    clientArgs,
    log,
    restart: async () => {
      await end("SIGTERM");
      await start();
    },
    kill: () => end("SIGKILL"),
    start,
    stop: async () => {
      await end("SIGTERM");
      await removeDir(dir);
    },
  };
  try {
    await start();
  } catch (err) {
    await broker.stop();
    throw err;
  }
  return broker;
}

interface ConfigParts {
  port: number;
  tlsPort: number;
  tls: TlsFiles | undefined;
  users: Readonly<Record<string, string>>;
}

function writeConfig(dir: string, { port, tlsPort, tls, users }: ConfigParts): void {
  mkdirSync(join(dir, "data"));
  const passwd = join(dir, "passwd");
  writeFileSync(passwd, "");
  for (const [user, password] of Object.entries(users)) {
    const run = Bun.spawnSync(["mosquitto_passwd", "-b", passwd, user, password], { stderr: "pipe" });
    if (run.exitCode !== 0) throw new Error(`mosquitto_passwd failed: ${run.stderr.toString()}`);
  }
  const auth = Object.keys(users).length > 0 ? ["allow_anonymous false", `password_file ${passwd}`] : ["allow_anonymous true"];
  const lines = [
    // Run as root in the test container: keep that user, or the files in the 0700 temp dir are unreadable.
    ...(process.getuid?.() === 0 ? ["user root"] : []),
    "per_listener_settings false",
    "persistence true",
    `persistence_location ${join(dir, "data")}/`,
    `log_dest file ${join(dir, "mosquitto.log")}`,
    "log_type all",
    "max_queued_messages 100000",
    ...auth,
    `listener ${port} ${HOST}`,
    ...(tls ? [`listener ${tlsPort} ${HOST}`, `cafile ${tls.caFile}`, `certfile ${tls.cert}`, `keyfile ${tls.key}`] : []),
  ];
  writeFileSync(join(dir, "mosquitto.conf"), `${lines.join("\n")}\n`);
}

function spawn(dir: string): Subprocess {
  const out = openSync(join(dir, "stdout.log"), "a");
  try {
    const binary = Bun.which("mosquitto", { PATH: `${process.env.PATH ?? ""}:/usr/sbin` }) ?? "mosquitto";
    const proc = Bun.spawn([binary, "-c", join(dir, "mosquitto.conf")], { cwd: dir, stdin: "ignore", stdout: out, stderr: out });
    trackProcess(proc);
    watchRunner(proc.pid);
    return proc;
  } finally {
    closeSync(out);
  }
}

async function listening(proc: Subprocess | undefined, port: number): Promise<boolean> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null)
    throw new Error(`mosquitto exited during startup (${proc?.exitCode ?? proc?.signalCode})`);
  return await new Promise<boolean>((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function stopProcess(proc: Subprocess, signal: "SIGTERM" | "SIGKILL"): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill(signal);
    if (!(await settlesWithin(proc.exited, STOP_GRACE_MS))) {
      proc.kill("SIGKILL");
      await proc.exited;
    }
  }
  forgetProcess(proc);
}

function qosArgs(o: ClientOptions): string[] {
  return [...(o.qos === undefined ? [] : ["-q", String(o.qos)]), ...(o.retain ? ["-r"] : []), ...(o.id === undefined ? [] : ["-i", o.id])];
}

async function runClient(binary: string, args: string[]): Promise<void> {
  const proc = Bun.spawn([binary, ...args], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  if ((await proc.exited) !== 0) throw new Error(`${binary} failed: ${await new Response(proc.stderr).text()}`);
}

async function subscribe(args: string[]): Promise<string[]> {
  const proc = Bun.spawn(["mosquitto_sub", ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  if (code !== 0) throw new Error(`mosquitto_sub failed (${code}): ${await new Response(proc.stderr).text()}${out}`);
  return out.split("\n").filter((line) => line !== "");
}
