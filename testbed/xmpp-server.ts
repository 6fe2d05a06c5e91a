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
