// The XMPP servers a test runs against: one test body, every server, a parameter not a copy.
//
//   for (const server of testServers()) {
//     describe(server.name, () => {
//       let xmpp: XmppServer;
//       beforeAll(async () => (xmpp = await server.start()));
//       ...
//
// STANZAGATE_SERVERS=prosody,ejabberd picks them (default: both). A case that one server cannot
// pass (its bug or its difference) names the server and asserts its actual answer, via `server.is`.
import { startProsody, type ProsodyOptions } from "../../testbed/prosody.ts";
import type { Privileges, XmppServer } from "../../testbed/xmpp-server.ts";
import type { HttpUploadOptions } from "../../testbed/http-upload.ts";
import { startEjabberd, type EjabberdOptions } from "../../testbed/ejabberd.ts";

export type ServerName = "prosody" | "ejabberd";
const SERVER_NAMES: readonly ServerName[] = ["prosody", "ejabberd"];

/** What both test beds understand, plus per-server extras. */
export interface ServerOptions {
  host?: string;
  mucDomain?: string;
  componentDomain?: string;
  componentSecret?: string;
  mucAdmins?: string[];
  privileges?: Privileges | null;
  users?: Record<string, string>;
  /** More MUC services where only `admins` are service admins (the gateway is not). */
  extraMucServices?: Array<{ domain: string; admins: string[] }>;
  /** More XEP-0114 component domains, each with its own secret (e.g. a fake service a test connects). */
  extraComponents?: Array<{ domain: string; secret: string }>;
  /** An XEP-0363 upload service at upload.<host> (Prosody mod_http_file_share, ejabberd mod_http_upload). */
  httpUpload?: HttpUploadOptions;
  /** Prosody only: anything else prosody.ts takes (modules, Lua). */
  prosody?: ProsodyOptions;
  /** ejabberd only: ejabberd.yml lines added to the generated config (lists appended, maps merged). */
  ejabberd?: { extraConfig?: string };
}

export interface TestServerKind {
  readonly name: ServerName;
  /** The server's version as the tests and README name it. */
  readonly version: string;
  start(opts?: ServerOptions): Promise<XmppServer>;
}

const KINDS: Record<ServerName, TestServerKind> = {
  prosody: { name: "prosody", version: "Prosody 0.12", start: (opts = {}) => startProsody(prosodyOptions(opts)) },
  ejabberd: { name: "ejabberd", version: "ejabberd 23.01", start: (opts = {}) => startEjabberd(ejabberdOptions(opts)) },
};

/** The servers picked by STANZAGATE_SERVERS (comma-separated), all by default; an unknown name throws. */
export function testServers(env: Record<string, string | undefined> = process.env): TestServerKind[] {
  const wanted = (env.STANZAGATE_SERVERS ?? SERVER_NAMES.join(","))
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return wanted.map((name) => {
    if (!SERVER_NAMES.includes(name as ServerName))
      throw new Error(`STANZAGATE_SERVERS: unknown server "${name}" (known: ${SERVER_NAMES.join(", ")})`);
    return KINDS[name as ServerName];
  });
}

/** One server by name, for a file that runs against it alone (what only its configuration can express). */
export function serverKind(name: ServerName): TestServerKind {
  return KINDS[name];
}

function common(opts: ServerOptions): EjabberdOptions {
  const { prosody: _p, ejabberd: _e, extraMucServices: _m, extraComponents: _c, ...rest } = opts;
  return rest;
}

function prosodyOptions(opts: ServerOptions): ProsodyOptions {
  const mucs = (opts.extraMucServices ?? []).map(
    (m) => `Component "${m.domain}" "muc"\n  admins = { ${m.admins.map((a) => `"${a}"`).join("; ")} }\n`,
  );
  const components = (opts.extraComponents ?? []).map((c) => `Component "${c.domain}"\n  component_secret = "${c.secret}"\n`);
  const extraConfig = [opts.prosody?.extraConfig ?? "", ...mucs, ...components].join("\n");
  return { ...common(opts), ...opts.prosody, extraConfig };
}

function ejabberdOptions(opts: ServerOptions): EjabberdOptions {
  return {
    ...common(opts),
    extraMucServices: opts.extraMucServices ?? [],
    ...(opts.extraComponents ? { extraComponents: opts.extraComponents } : {}),
    ...opts.ejabberd,
  };
}
