// What a test (or the benchmark) holds of a running XMPP server, whichever one it is: the
// Prosody test bed (prosody.ts) and the ejabberd one (ejabberd.ts) both implement it, so every
// helper that takes a server takes either. What only one server can do stays in its own files.

type RosterPrivilege = "none" | "get" | "set" | "both";
type MessagePrivilege = "none" | "outgoing";
type PresencePrivilege = "none" | "managed_entity" | "roster";

/** XEP-0356 permissions granted to the gateway component (mod_privilege syntax). */
export interface Privileges {
  roster?: RosterPrivilege;
  message?: MessagePrivilege;
  presence?: PresencePrivilege;
}

/** The accounts a test bed creates unless told otherwise: username -> password. */
export const DEFAULT_USERS: Readonly<Record<string, string>> = { alice: "alice-pw", bob: "bob-pw", carol: "carol-pw" };
/** The gateway's privileges unless told otherwise: all a test needs. */
export const DEFAULT_PRIVILEGES: Privileges = { roster: "both", message: "outgoing", presence: "managed_entity" };

/**
 * An XEP-0363 upload service on the test bed (Prosody's mod_http_file_share, ejabberd's
 * mod_http_upload) at `upload.<host>`, serving PUT and GET on the server's loopback HTTP port and
 * keeping the files in the server's own temp dir.
 */
export interface HttpUploadOptions {
  /** The largest file a slot is granted for (the service's max-file-size); default 1 MiB. */
  maxFileBytes?: number;
  /**
   * Who may get a slot: bare JIDs or domains; default the gateway's component domain.
   * "default": the access option left out, so the server's own default decides.
   */
  allow?: string[] | "default";
}

/** The test bed's upload limit unless told otherwise: small, so that a test can pass it cheaply. */
const DEFAULT_UPLOAD_MAX_BYTES = 1_048_576;

/** HttpUploadOptions with the defaults filled in; `allow` null: the access option left out. */
export interface HttpUploadSettings {
  domain: string;
  maxFileBytes: number;
  allow: string[] | null;
}

/** What both test beds render from `httpUpload`; undefined -> no upload service. */
export function resolveUpload(upload: HttpUploadOptions | undefined, host: string, componentDomain: string): HttpUploadSettings | null {
  if (upload === undefined) return null;
  const allow = upload.allow ?? [componentDomain];
  return {
    domain: `upload.${host}`,
    maxFileBytes: upload.maxFileBytes ?? DEFAULT_UPLOAD_MAX_BYTES,
    allow: allow === "default" ? null : allow,
  };
}

export interface XmppServer {
  readonly host: string;
  readonly mucDomain: string;
  readonly componentDomain: string;
  readonly componentSecret: string;
  readonly c2sPort: number;
  readonly componentPort: number;
  readonly httpPort: number;
  /** The XEP-0363 upload service's domain when the bed has one (`httpUpload`), else undefined. */
  readonly uploadDomain: string | undefined;
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
  /** The last lines of the server's log and console output, for failure messages. */
  logTail(lines?: number): Promise<string>;
}
