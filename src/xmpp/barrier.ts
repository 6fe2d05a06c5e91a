/**
 * Delivery confirmation on a link that has none. XEP-0114 streams carry no acknowledgements, but a
 * server handles one stream's stanzas in order (RFC 6120 §10.1), so the answer to an iq sent after
 * some stanzas proves the server has routed them. The barrier is that iq: an XEP-0199 ping to the
 * server, shared by every stanza written in the same turn of the event loop. Any answer counts,
 * even an error (a server without mod_ping still answers in order).
 *
 * It also paces senders to the server's speed: a 201 "sent" waits for the server, not only for the
 * local socket, so bursts queue where they are visible (the HTTP callers) instead of in buffers.
 */
import { XmppStanzaError } from "./stanza-error.ts";

export interface Barrier {
  /** Resolves once every stanza written before this call was handled by the server; rejects if the link drops first. */
  after(): Promise<void>;
}

export function createBarrier(ping: () => Promise<unknown>): Barrier {
  let next: Promise<void> | undefined;
  return {
    after() {
      next ??= new Promise<void>((resolve, reject) => {
        setImmediate(() => {
          // Later callers must wait for a ping sent after their own stanza.
          next = undefined;
          ping().then(
            () => resolve(),
            (err: unknown) => (err instanceof XmppStanzaError ? resolve() : reject(err)),
          );
        });
      });
      return next;
    },
  };
}
