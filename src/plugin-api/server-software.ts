/** The XMPP server's software as the link learned it (src/xmpp/server-software.ts). */
export interface ServerSoftware {
  /** As the server names itself: "Prosody", "ejabberd". */
  name: string;
  version?: string;
}

/** Whether the server is known to be `name` (case-insensitive): isServer(xmpp.serverSoftware(), "prosody"). */
export function isServer(software: ServerSoftware | undefined, name: string): boolean {
  return software?.name.toLowerCase() === name.toLowerCase();
}
