// Typings for the one part of @xmpp/tls that Stanzagate uses (see src/xmpp/tls-component.ts).

declare module "@xmpp/tls/lib/Socket.js" {
  import type { ConnectionOptions } from "node:tls";
  /** xmpp.js's TLS socket: node:tls behind the small socket interface @xmpp/connection drives. */
  export default class TlsSocket {
    connect(options: ConnectionOptions): void;
    emit(event: string, ...args: unknown[]): boolean;
  }
}

declare module "@xmpp/component-core" {
  interface Component {
    /** The socket class `connect` instantiates (net.Socket by default). */
    Socket?: unknown;
    socketParameters?(service: string): unknown;
  }
}
