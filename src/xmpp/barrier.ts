/**
 * Delivery confirmation on a link that has none. XEP-0114 streams carry no acknowledgements, but a
 * server handles one stream's stanzas in order (RFC 6120 §10.1), so the answer to an iq sent after
 * some stanzas proves the server has routed them. The barrier is that iq: an XEP-0199 ping to the
 * server. Any answer counts, even an error (a server without mod_ping still answers in order).
 *
 * One ping is in flight at a time; every stanza written meanwhile waits for the next one. Under
 * load a ping thus covers many stanzas (the server's cost stays small), and when idle a stanza
 * waits one round trip. It also paces senders to the server's speed: a 201 "sent" waits for the
 * server, not for a local socket buffer.
 *
 * The ping goes out where `schedule` says: the link runs it just before its next socket write
 * (write-queue.ts beforeFlush), so a batch's ping leaves in the same write as its stanzas rather
 * than in one of its own a turn later.
 */
import { XmppStanzaError } from "../plugin-api/errors.ts";

export interface Barrier {
  /** Resolves once every stanza written before this call was handled by the server; rejects if the link drops first. */
  after(): Promise<void>;
}

interface Batch {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

export interface BarrierOptions {
  /** Pings unanswered at once, at most. */
  maxInFlight?: number;
  /** Runs the ping's send later in this turn, once the batch's stanzas are queued (default setImmediate). */
  schedule?: (send: () => void) => void;
}

export function createBarrier(ping: () => Promise<unknown>, options: BarrierOptions = {}): Barrier {
  const { maxInFlight = 1, schedule = (send) => void setImmediate(send) } = options;
  let waiting: Batch | undefined;
  let inFlight = 0;

  const flush = () => {
    if (inFlight >= maxInFlight || !waiting) return;
    const batch = waiting;
    waiting = undefined;
    inFlight++;
    ping()
      .then(
        () => batch.resolve(),
        (err: unknown) => (err instanceof XmppStanzaError ? batch.resolve() : batch.reject(err)),
      )
      .finally(() => {
        inFlight--;
        flush();
      });
  };

  return {
    after() {
      if (!waiting) {
        waiting = { ...Promise.withResolvers<void>() };
        // Let the rest of this turn's stanzas join the batch before its ping goes out.
        schedule(flush);
      }
      return waiting.promise;
    },
  };
}
