// A throw-away Prosody 0.12 for tests: its own temp dir, config, data and log,
// free ports on 127.0.0.1 only, no TLS, no s2s. Every wait is bounded and every
// process started here dies with the test process (see prosody-watchdog.ts, cleanup.ts).
//
// This file is the public API. The parts, each with the Prosody 0.12 findings that shaped it:
//   prosody-config.ts   the Lua config (privileges, MUC admins, loopback ports)
//   prosody-process.ts  spawn, wait until ready, stop
//   prosody-users.ts    accounts via prosodyctl
//   prosody-server.ts   the object behind the `XmppServer` interface (xmpp-server.ts)
//   prosody-watchdog.ts the Lua module that stops Prosody when its test runner is gone
// and, shared with the ejabberd test bed, cleanup.ts: exit handlers that kill servers and delete dirs.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { freePorts } from "./ports.ts";
import type { ProsodyLogLevel, ProsodySettings } from "./prosody-config.ts";
import { findBinaries } from "./prosody-process.ts";
import { ProsodyServer } from "./prosody-server.ts";
import { registerForCleanup } from "./cleanup.ts";
import { DEFAULT_PRIVILEGES, DEFAULT_USERS, type Privileges, type XmppServer } from "./xmpp-server.ts";
import { resolveUpload, type HttpUploadOptions } from "./http-upload.ts";

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
  /** An XEP-0363 upload component (mod_http_file_share) at upload.<host>; default none. */
  httpUpload?: HttpUploadOptions;
  /** username -> password; default alice, bob, carol. */
  users?: Record<string, string>;
  /** The component port; default a free one. Given when a test's own lines (extraGlobalConfig) name it too. */
  componentPort?: number;
  /** Prosody log level in `logFile`; default "info" (debug slows benchmarks). */
  logLevel?: ProsodyLogLevel;
  /**
   * SCRAM iterations for new accounts; default 256. Prosody's own default (10000)
   * costs @xmpp/client 150-500 ms per login, computed with async WebCrypto HMACs.
   */
  scramIterations?: number;
}

const DEFAULT_SCRAM_ITERATIONS = 256;

export async function startProsody(opts: ProsodyOptions = {}): Promise<XmppServer> {
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
    httpUpload: resolveUpload(opts.httpUpload, host, opts.componentDomain ?? `gateway.${host}`),
    logLevel: opts.logLevel ?? "info",
    scramIterations: opts.scramIterations ?? DEFAULT_SCRAM_ITERATIONS,
    c2sPort,
    componentPort: opts.componentPort ?? componentPort,
    httpPort,
    dir,
  };
}
