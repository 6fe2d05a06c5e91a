// A throw-away ejabberd 23.01 for tests, the twin of prosody.ts: its own temp dir, config, Mnesia
// spool and log, free ports on 127.0.0.1 only, no TLS, no s2s, no Erlang distribution. It
// implements the `XmppServer` interface (xmpp-server.ts), so every helper that takes a server takes this one too.
//
// The parts:
//   ejabberd-config.ts   ejabberd.yml (privileges as docs/servers.md shows them, MUC admins, ports)
//   ejabberd-process.ts  spawn the VM, wait until ready, stop; the watchdog
//   ejabberd-server.ts   the object behind the interface; accounts via mod_http_api
//   ejabberd-log.ts      log tails and port probes
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { freePorts } from "./ports.ts";
import { DEFAULT_PRIVILEGES, DEFAULT_USERS, type Privileges, type XmppServer } from "./xmpp-server.ts";
import { resolveUpload, type HttpUploadOptions } from "./http-upload.ts";
import type { EjabberdSettings } from "./ejabberd-config.ts";
import { findEjabberd } from "./ejabberd-process.ts";
import { EjabberdServer } from "./ejabberd-server.ts";
import { registerForCleanup } from "./cleanup.ts";

export interface EjabberdOptions {
  host?: string;
  mucDomain?: string;
  componentDomain?: string;
  componentSecret?: string;
  /** Extra MUC service admins (owners of every room), besides the component domain. */
  mucAdmins?: string[];
  /** Gateway privileges; default roster both / message outgoing / presence managed_entity; null = none. */
  privileges?: Privileges | null;
  /** More MUC services where only `admins` are service admins (not the gateway). */
  extraMucServices?: Array<{ domain: string; admins: string[] }>;
  /** username -> password; default alice, bob, carol. */
  users?: Record<string, string>;
  /** The component port speaks direct TLS (`tls: true`) with this PEM: certificate, key, chain. */
  componentTls?: { certfile: string };
  /** More component domains on the same port, each with its own secret. */
  extraComponents?: Array<{ domain: string; secret: string }>;
  /** An XEP-0363 upload service (mod_http_upload) at upload.<host>; default none. */
  httpUpload?: HttpUploadOptions;
  /** ejabberd.yml text added as an administrator adds it (see `EjabberdSettings.extraConfig`). */
  extraConfig?: string;
}

export async function startEjabberd(opts: EjabberdOptions = {}): Promise<XmppServer> {
  const binaries = findEjabberd();
  const dir = await mkdtemp(join(tmpdir(), "stanzagate-ejabberd-"));
  registerForCleanup(dir);
  const server = new EjabberdServer(await resolveSettings(opts, dir), binaries, { ...(opts.users ?? DEFAULT_USERS) });
  try {
    await server.prepare();
    await server.startProcess();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

async function resolveSettings(opts: EjabberdOptions, dir: string): Promise<EjabberdSettings> {
  const host = opts.host ?? "localhost";
  const componentDomain = opts.componentDomain ?? `gateway.${host}`;
  const upload = resolveUpload(opts.httpUpload, host, componentDomain);
  const [c2sPort, componentPort, httpPort] = await freePorts(3);
  if (c2sPort === undefined || componentPort === undefined || httpPort === undefined)
    throw new Error("startEjabberd: could not allocate ports");
  return {
    host,
    mucDomain: opts.mucDomain ?? `muc.${host}`,
    componentDomain,
    componentSecret: opts.componentSecret ?? randomBytes(16).toString("hex"),
    mucAdmins: opts.mucAdmins ?? [],
    privileges: opts.privileges === undefined ? DEFAULT_PRIVILEGES : opts.privileges,
    extraMucServices: opts.extraMucServices ?? [],
    ...(opts.componentTls ? { componentTls: opts.componentTls } : {}),
    ...(opts.extraComponents ? { extraComponents: opts.extraComponents } : {}),
    ...(opts.extraConfig ? { extraConfig: opts.extraConfig } : {}),
    ...(upload ? { httpUpload: upload } : {}),
    c2sPort,
    componentPort,
    httpPort,
    dir,
  };
}
