/** The XMPP server's software as the link learned it (src/xmpp/server-software.ts). */
export interface ServerSoftware {
  /** As the server names itself: "Prosody", "ejabberd". */
  name: string;
  version?: string;
}
