// One test ejabberd behind the same `XmppServer` interface (xmpp-server.ts) as the Prosody test bed (the shape every
// test helper takes): its directory, its accounts and its process, which can be stopped and
// started again on the same ports and data (the Mnesia spool).
import { mkdir, writeFile } from "node:fs/promises";
import type { Subprocess } from "bun";
import type { XmppServer } from "./xmpp-server.ts";
import { ejabberdPaths, renderEjabberdConfig, LOOPBACK, type EjabberdPaths, type EjabberdSettings } from "./ejabberd-config.ts";
import { spawnEjabberd, terminate, waitUntilReady, type EjabberdBinaries } from "./ejabberd-process.ts";
import { logLength, logTail } from "./ejabberd-log.ts";
import { forgetProcess, removeDir } from "./cleanup.ts";

const REGISTER_TIMEOUT_MS = 10_000;

export class EjabberdServer implements XmppServer {
  readonly host: string;
  readonly mucDomain: string;
  readonly componentDomain: string;
  readonly componentSecret: string;
  readonly c2sPort: number;
  readonly componentPort: number;
  readonly httpPort: number;
  readonly uploadDomain: string | undefined;
  readonly dir: string;
  readonly configFile: string;
  readonly logFile: string;
  private readonly paths: EjabberdPaths;
  private readonly registered: Record<string, string> = {};
  /** Accounts asked for while stopped; made at the next start (registration needs the server). */
  private readonly pending: Record<string, string> = {};
  private proc: Subprocess | null = null;
  private removed = false;

  constructor(
    private readonly settings: EjabberdSettings,
    private readonly binaries: EjabberdBinaries,
    initialUsers: Record<string, string>,
  ) {
    this.host = settings.host;
    this.mucDomain = settings.mucDomain;
    this.componentDomain = settings.componentDomain;
    this.componentSecret = settings.componentSecret;
    this.c2sPort = settings.c2sPort;
    this.componentPort = settings.componentPort;
    this.httpPort = settings.httpPort;
    this.uploadDomain = settings.httpUpload?.domain;
    this.dir = settings.dir;
    this.paths = ejabberdPaths(settings.dir);
    this.configFile = this.paths.configFile;
    this.logFile = this.paths.logFile;
    Object.assign(this.pending, initialUsers);
  }

  get pid(): number | null {
    return this.proc?.pid ?? null;
  }

  get users(): Readonly<Record<string, string>> {
    return this.registered;
  }

  /** Write the config; done once, before the first start. */
  async prepare(): Promise<void> {
    await mkdir(this.paths.spoolDir, { recursive: true });
    await mkdir(this.paths.uploadDir, { recursive: true });
    await writeFile(this.paths.configFile, renderEjabberdConfig(this.settings));
  }

  async addUser(username: string, password: string): Promise<void> {
    if (this.proc === null) {
      this.pending[username] = password;
      return;
    }
    await this.register(username, password);
  }

  /** mod_http_api `register` (loopback only, see ejabberd-config.ts). */
  private async register(username: string, password: string): Promise<void> {
    const res = await fetch(`http://${LOOPBACK}:${this.httpPort}/api/register`, {
      method: "POST",
      body: JSON.stringify({ user: username, host: this.host, password }),
      signal: AbortSignal.timeout(REGISTER_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`ejabberd register ${username}@${this.host} failed (${res.status}): ${await res.text()}`);
    this.registered[username] = password;
  }

  async startProcess(): Promise<void> {
    if (this.removed) throw new Error("ejabberd was stopped and its directory removed; start a new one");
    if (this.proc !== null) return;
    const logOffset = await logLength(this.paths);
    const proc = spawnEjabberd(this.binaries, this.paths, this.dir);
    this.proc = proc;
    try {
      await waitUntilReady(proc, { ports: [this.c2sPort, this.componentPort, this.httpPort], paths: this.paths, logOffset });
      await this.registerPending();
    } catch (err) {
      await this.stopProcess();
      throw err;
    }
  }

  private async registerPending(): Promise<void> {
    const users = Object.entries(this.pending);
    for (const [user] of users) delete this.pending[user];
    await Promise.all(users.map(([user, pw]) => this.register(user, pw)));
  }

  async stopProcess(): Promise<void> {
    const proc = this.proc;
    if (proc === null) return;
    await terminate(proc);
    forgetProcess(proc);
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
    await removeDir(this.dir);
  }

  logTail(lines = 40): Promise<string> {
    return logTail(this.paths, lines);
  }
}
