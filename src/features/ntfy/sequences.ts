/**
 * ntfy's sequence ids (ntfy 2.16, docs/publish.md "Updating and deleting notifications"): a
 * publish with the id of an earlier one replaces it, `DELETE /<topic>/<id>` withdraws it. Here a
 * replacement is an XEP-0308 correction of the message each recipient got first, a withdrawal
 * an XEP-0424 retraction of it. A publish without a sequence id is its own (its message id), as ntfy does.
 *
 * The key holds the topic: the same sequence id in another topic is another notification.
 * The value is the first message id of each recipient (JSON), in the bounded, expiring store
 * of threads (store/threads.ts).
 */
import type { Remembered } from "../../store/threads.ts";

type FirstIds = Readonly<Record<string, string>>;

export interface Sequences {
  /** The first message of each recipient, or undefined when none is remembered (never sent, withdrawn, expired). */
  first(topic: string, sequenceId: string): Promise<FirstIds | undefined>;
  /** Remembers who got which message first (notify/attachments.ts `rememberedAfter` after a correction). */
  remember(topic: string, sequenceId: string, ids: FirstIds): Promise<void>;
  forget(topic: string, sequenceId: string): Promise<void>;
}

const keyOf = (topic: string, sequenceId: string) => `${topic}\u0000${sequenceId}`;

export function sequences(store: Remembered): Sequences {
  return {
    async first(topic, sequenceId) {
      const stored = await store.get(keyOf(topic, sequenceId));
      return stored === undefined ? undefined : parseIds(stored);
    },
    remember: (topic, sequenceId, ids) => store.set(keyOf(topic, sequenceId), JSON.stringify(ids)),
    forget: (topic, sequenceId) => store.delete(keyOf(topic, sequenceId)),
  };
}

function parseIds(stored: string): FirstIds | undefined {
  try {
    const value = JSON.parse(stored) as unknown;
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"));
  } catch {
    return undefined;
  }
}
