// One test Prosody behind the `XmppServer` interface (xmpp-server.ts): its directory, its accounts and
// its process, which can be stopped and started again on the same ports and data.
import { mkdir, writeFile } from "node:fs/promises";
import type { Subprocess } from "bun";
import type { XmppServer } from "./xmpp-server.ts";
import { prosodyPaths, renderProsodyConfig, type ProsodyPaths, type ProsodySettings } from "./prosody-config.ts";
import { logLength, logTail, spawnProsody, terminate, waitUntilReady, type Binaries } from "./prosody-process.ts";
import { registerUser } from "./prosody-users.ts";
import { forgetProcess, removeDir } from "./cleanup.ts";
import { writeWatchdogModule } from "./prosody-watchdog.ts";

export class ProsodyServer implements XmppServer {
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
  private readonly paths: ProsodyPaths;
  private readonly registered: Record<string, string> = {};
  private proc: Subprocess | null = null;
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
    this.uploadDomain = settings.httpUpload?.domain;
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
    await writeWatchdogModule(this.paths.pluginDir);
    await writeFile(this.paths.configFile, renderProsodyConfig(this.settings));
    await Promise.all(Object.entries(this.initialUsers).map(([user, pw]) => this.addUser(user, pw)));
  }

  async addUser(username: string, password: string): Promise<void> {
    const target = { prosodyctl: this.binaries.prosodyctl, configFile: this.configFile, host: this.host };
    await registerUser(target, username, password);
    this.registered[username] = password;
  }

  async startProcess(): Promise<void> {
    if (this.removed) throw new Error("Prosody was stopped and its directory removed; start a new one");
    if (this.proc !== null) return;
    const logOffset = await logLength(this.paths);
    const proc = spawnProsody(this.binaries.prosody, this.paths, this.dir);
    this.proc = proc;
    try {
      await waitUntilReady(proc, { c2sPort: this.c2sPort, componentPort: this.componentPort, paths: this.paths, logOffset });
    } catch (err) {
      await this.stopProcess();
      throw err;
    }
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
