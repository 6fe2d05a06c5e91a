/**
 * ntfy's sequence ids (ntfy 2.16, docs/publish.md "Updating and deleting notifications"): a
 * publish with the id of an earlier one replaces it, `DELETE /<topic>/<id>` withdraws it. Here a
 * replacement is an XEP-0308 correction of the message each recipient got first, a withdrawal
 * an XEP-0424 retraction of it. A publish without a sequence id is its own (its message id), as ntfy does.
 *
 * The key holds the topic: the same sequence id in another topic is another notification.
 * The value is the first message id of each recipient and the JID they came from (JSON), in the
 * bounded, expiring store of threads (store/threads.ts). Rows of older versions hold the ids alone.
 */
import type { Remembered } from "../../store/threads.ts";

type FirstIds = Readonly<Record<string, string>>;

/**
 * How a sequence began: the first message of each recipient, and the JID they came from (a
 * replica's component domain or the topic's address; absent in rows of older versions), the only
 * sender clients take a correction or retraction of them from (XEP-0308 §5, XEP-0424 §6).
 */
interface SequenceStart {
  ids: FirstIds;
  from?: string | undefined;
}

export interface Sequences {
  /** How the sequence began, or undefined when nothing is remembered (never sent, withdrawn, expired). */
  first(topic: string, sequenceId: string): Promise<SequenceStart | undefined>;
  /** Remembers who got which message first (notify/attachments.ts `rememberedAfter` after a correction), and from whom. */
  remember(topic: string, sequenceId: string, start: SequenceStart): Promise<void>;
  forget(topic: string, sequenceId: string): Promise<void>;
}

const keyOf = (topic: string, sequenceId: string) => `${topic}\u0000${sequenceId}`;

export function sequences(store: Remembered): Sequences {
  return {
    async first(topic, sequenceId) {
      const stored = await store.get(keyOf(topic, sequenceId));
      return stored === undefined ? undefined : parseStart(stored);
    },
    remember: (topic, sequenceId, start) => store.set(keyOf(topic, sequenceId), JSON.stringify(start)),
    forget: (topic, sequenceId) => store.delete(keyOf(topic, sequenceId)),
  };
}

/** `{ids, from}`; a row of an older version is the ids alone. */
function parseStart(stored: string): SequenceStart | undefined {
  try {
    const value = JSON.parse(stored) as unknown;
    if (!isRecord(value)) return undefined;
    if (!isRecord(value.ids)) return { ids: strings(value) };
    return { ids: strings(value.ids), ...(typeof value.from === "string" ? { from: value.from } : {}) };
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

const strings = (value: Record<string, unknown>): FirstIds =>
  Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"));
