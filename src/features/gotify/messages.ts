/**
 * What a gotify route remembers: the next message id (Gotify's ids are integers the server
 * allocates, and senders delete by them), and for each message sent, who sent it and the id of
 * the chat message each recipient got, so DELETE /message/<id> can withdraw them (XEP-0424).
 * The ids are the store's counter, taken in one statement each (KeyedRows.increment): replicas
 * sharing a PostgreSQL store never give one twice (issue 26); the messages in store/threads.ts,
 * bounded per route and expiring (a retraction of a message long scrolled away helps nobody).
 */
import { correctThreads, DEFAULT_THREAD_LIMITS, type Remembered } from "../../store/threads.ts";
import type { Store } from "../../store/types.ts";
import { storeFailureReason, storeUnavailable } from "../../store/unavailable.ts";

/**
 * One message: the token holder that sent it, the chat message id each recipient got, and the
 * JID they came from (the replica's component domain; absent in rows of older versions).
 */
interface SentMessage {
  by: string;
  ids: Record<string, string>;
  from?: string;
}

export interface GotifyMessages {
  /** The next id, stored before anything is sent: an id is never given twice, even after a crash. */
  allocate(): Promise<number>;
  remember(id: number, sent: SentMessage): Promise<void>;
  recall(id: number): Promise<SentMessage | undefined>;
  forget(id: number): Promise<void>;
}

export interface MessagesDeps {
  store: Store;
  /** Where the counter is kept (the feature's keyed values, where it always was). */
  counter: { plugin: string; collection: string; key: string };
  /** The route's `POST <path>message`: its messages never mix with another route's. */
  route: string;
  failed(op: string, err: unknown): void;
}

export function gotifyMessages(deps: MessagesDeps): GotifyMessages {
  const threads: Remembered = correctThreads(deps.store, { route: deps.route, limits: DEFAULT_THREAD_LIMITS, failed: deps.failed });
  const key = (id: number) => `gotify ${deps.route} ${id}`;
  return {
    async allocate() {
      try {
        return await deps.store.keyed.increment(deps.counter);
      } catch (err) {
        // Nothing was sent yet: 503 is safe to retry.
        deps.failed("allocating a gotify message id", err);
        throw storeUnavailable(storeFailureReason(err));
      }
    },
    remember: (id, sent) => threads.set(key(id), JSON.stringify(sent)),
    async recall(id) {
      const stored = await threads.get(key(id));
      return stored === undefined ? undefined : (JSON.parse(stored) as SentMessage);
    },
    forget: (id) => threads.delete(key(id)),
  };
}
