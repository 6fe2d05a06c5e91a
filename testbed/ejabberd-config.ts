// The ejabberd.yml of a test ejabberd 23.01: loopback only, fixed free ports, no TLS, no s2s.
//
// Findings about Debian's ejabberd 23.01 that shaped the config below:
//  - Under mod_privilege a bare name (`both: gateway`) is an *access rule* name, not an ACL: with
//    only an ACL of that name ejabberd logs "Granting no permissions to external component" and
//    grants nothing. The inline rule `both: [{allow: gateway}]` works. docs/servers.md shows exactly
//    the lines `privilegeSample()` renders (test/integration/testbed/ejabberd.test.ts compares them).
//  - mod_privilege is built in, speaks XEP-0356 0.2 (urn:xmpp:privilege:1) and advertises on
//    every connect of the component.
//  - MUC: `access_admin` makes the gateway an owner of every room; an ACL `server:` entry matches
//    the bare component domain too.
//  - XEP-0363 (mod_http_upload): `access` names an access rule (default `local`, which this config
//    does not define, so nobody gets a slot); the rule is matched against the slot request's sender,
//    the component's bare domain, which an ACL `server:` entry matches. The module serves PUT and GET
//    on the HTTP listener under the path of `put_url`, and picks the service by the Host of the
//    request, so put_url names 127.0.0.1 as the test's HTTP client does.
//  - Accounts are made through mod_http_api on the loopback HTTP port (`register`), which answers
//    in milliseconds; an `ejabberdctl` call starts a whole Erlang node (seconds) and needs
//    Erlang distribution, which the test bed does not start.
import { join } from "node:path";
import YAML from "yaml";
import type { Privileges } from "./xmpp-server.ts";
import type { HttpUploadSettings } from "./http-upload.ts";

export const LOOPBACK = "127.0.0.1";

/** Everything needed to render the config; all defaults resolved. */
export interface EjabberdSettings {
  host: string;
  mucDomain: string;
  componentDomain: string;
  componentSecret: string;
  mucAdmins: string[];
  privileges: Privileges | null;
  /** More MUC services, each on its own virtual host, where only `admins` are service admins. */
  extraMucServices: Array<{ domain: string; admins: string[] }>;
  /** More component domains on the same port, each with its own secret (replicas, one domain each). */
  extraComponents?: Array<{ domain: string; secret: string }>;
  /**
   * YAML added to the generated ejabberd.yml as an administrator adds lines to a config: each of
   * its top-level lists appended to the list of that name (listen), each of its maps' entries added
   * to the map (acl, modules), anything else set. E.g. the lines `stanzagate init` prints.
   */
  extraConfig?: string;
  /** An XEP-0363 upload service (mod_http_upload); absent: none. `allow` null leaves `access` out. */
  httpUpload?: HttpUploadSettings;
  /** The component port speaks direct TLS with this PEM (certificate, key, chain) when set. */
  componentTls?: { certfile: string };
  c2sPort: number;
  componentPort: number;
  httpPort: number;
  dir: string;
}

export interface EjabberdPaths {
  configFile: string;
  spoolDir: string;
  logFile: string;
  consoleLog: string;
  uploadDir: string;
}

export function ejabberdPaths(dir: string): EjabberdPaths {
  return {
    configFile: join(dir, "ejabberd.yml"),
    spoolDir: join(dir, "spool"),
    logFile: join(dir, "ejabberd.log"),
    consoleLog: join(dir, "console.log"),
    uploadDir: join(dir, "upload"),
  };
}

/** The ACL and the mod_privilege options docs/servers.md shows, for `componentDomain`. */
export function privilegeSample(componentDomain: string, privileges: Privileges): { acl: object; modules: object } {
  const grants: Record<string, Record<string, Array<{ allow: string }>>> = {};
  for (const key of ["roster", "message", "presence"] as const) {
    const value = privileges[key];
    if (value !== undefined && value !== "none") grants[key] = { [value]: [{ allow: "gateway" }] };
  }
  return { acl: { gateway: { server: componentDomain } }, modules: { mod_privilege: grants } };
}

/** The second virtual host that carries an extra MUC service (ejabberd ties a MUC service to a host). */
function mucHostOf(mucDomain: string): string {
  return `users-of-${mucDomain}`;
}

/** The ACL, access rule and mod_http_upload options docs/files-xep0363.md shows (`allow` null: `access` left out). */
export function httpUploadSample(upload: HttpUploadSettings, urls: string, docroot: string) {
  const grant = upload.allow !== null;
  return {
    acl: upload.allow === null ? {} : { upload_gateway: { server: upload.allow.length === 1 ? upload.allow[0] : upload.allow } },
    access_rules: grant ? { upload: [{ allow: "upload_gateway" }] } : {},
    modules: {
      mod_http_upload: {
        hosts: [upload.domain],
        put_url: urls,
        get_url: urls,
        docroot,
        max_size: upload.maxFileBytes,
        ...(grant ? { access: "upload" } : {}),
      },
    },
  };
}

/** The upload service's parts of the config, on the test bed's HTTP port; empty without one. */
function uploadParts(s: EjabberdSettings) {
  if (!s.httpUpload) return { acl: {}, access_rules: {}, modules: {} };
  return httpUploadSample(s.httpUpload, `http://${LOOPBACK}:${s.httpPort}/upload`, ejabberdPaths(s.dir).uploadDir);
}

export function renderEjabberdConfig(s: EjabberdSettings): string {
  const sample = s.privileges === null ? { acl: {}, modules: {} } : privilegeSample(s.componentDomain, s.privileges);
  const extraHosts = s.extraMucServices.map((m) => mucHostOf(m.domain));
  const upload = uploadParts(s);
  const config = {
    hosts: [s.host, ...extraHosts],
    loglevel: "info",
    log_rotate_count: 0,
    auth_method: "internal",
    auth_password_format: "plain",
    s2s_access: "none",
    acl: { ...sample.acl, muc_gateway: { server: s.componentDomain }, ...mucAdminAcls(s), ...upload.acl },
    access_rules: {
      muc_admin: ["muc_gateway", ...(s.mucAdmins.length ? ["muc_admins"] : [])].map((acl) => ({ allow: acl })),
      ...extraMucRules(s),
      ...upload.access_rules,
    },
    api_permissions: { "test bed": { from: ["mod_http_api"], who: { ip: "127.0.0.0/8" }, what: ["register"] } },
    listen: listeners(s),
    modules: {
      ...sample.modules,
      mod_roster: {},
      mod_disco: {},
      mod_version: {},
      mod_ping: {},
      mod_offline: {},
      mod_http_api: {},
      mod_muc: { host: s.mucDomain, access_admin: "muc_admin", default_room_options: { mam: false } },
      ...upload.modules,
    },
    host_config: Object.fromEntries(
      s.extraMucServices.map((m, i) => [mucHostOf(m.domain), { modules: { mod_muc: { host: m.domain, access_admin: `muc_admin_${i}` } } }]),
    ),
  };
  return (
    "# Generated by testbed/ejabberd.ts; rewritten on every run.\n" +
    YAML.stringify(s.extraConfig ? addConfig(config, s.extraConfig) : config)
  );
}

function addConfig(config: Record<string, unknown>, text: string): Record<string, unknown> {
  const added: unknown = YAML.parse(text);
  if (added === null || typeof added !== "object" || Array.isArray(added)) throw new Error(`extraConfig is not a YAML map:\n${text}`);
  const merged = { ...config };
  for (const [key, value] of Object.entries(added)) {
    const current = merged[key];
    if (Array.isArray(current) && Array.isArray(value)) merged[key] = [...current, ...value];
    else if (isMap(current) && isMap(value)) merged[key] = { ...current, ...value };
    else merged[key] = value;
  }
  return merged;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function listeners(s: EjabberdSettings): object[] {
  return [
    { port: s.c2sPort, ip: LOOPBACK, module: "ejabberd_c2s" },
    {
      port: s.componentPort,
      ip: LOOPBACK,
      module: "ejabberd_service",
      ...(s.componentTls ? { tls: true, certfile: s.componentTls.certfile } : {}),
      ...globalRoutes(s),
      hosts: componentHosts(s),
    },
    {
      port: s.httpPort,
      ip: LOOPBACK,
      module: "ejabberd_http",
      request_handlers: { "/api": "mod_http_api", ...(s.httpUpload ? { "/upload": "mod_http_upload" } : {}) },
    },
  ];
}

/**
 * ejabberd_service's `global_routes` (default true) makes a connection that authenticates as one
 * of the listener's hosts a route for every one of them: with several domains on one port, each
 * connection would get stanzas meant for the others. Off when there are several.
 */
function globalRoutes(s: EjabberdSettings): { global_routes?: false } {
  return s.extraComponents?.length ? { global_routes: false } : {};
}

function componentHosts(s: EjabberdSettings): Record<string, { password: string }> {
  const extra = (s.extraComponents ?? []).map((c) => [c.domain, { password: c.secret }] as const);
  return { [s.componentDomain]: { password: s.componentSecret }, ...Object.fromEntries(extra) };
}

function mucAdminAcls(s: EjabberdSettings): Record<string, object> {
  const acls: Record<string, object> = s.mucAdmins.length ? { muc_admins: { user: s.mucAdmins } } : {};
  s.extraMucServices.forEach((m, i) => void (acls[`muc_admins_${i}`] = { user: m.admins }));
  return acls;
}

function extraMucRules(s: EjabberdSettings): Record<string, object> {
  return Object.fromEntries(s.extraMucServices.map((_, i) => [`muc_admin_${i}`, [{ allow: `muc_admins_${i}` }]]));
}
