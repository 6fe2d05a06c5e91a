/**
 * Topic events across replicas (issue 26 §2) over PostgreSQL's LISTEN/NOTIFY: a replica that
 * published an event (cached first: topics/topics.ts) notifies the channel; every other replica's
 * listener hands it to its live subscribers. A payload is at most 8000 bytes (PostgreSQL docs,
 * NOTIFY): a larger event is announced by its id and read from the cache by the listeners.
 *
 * Bun.SQL listens on one dedicated connection and re-listens after it drops; PostgreSQL keeps
 * nothing for a session that is not listening. So each notification carries the event's seq in
 * the cache, and after a reconnect the listener reads the events cached past the last seq it
 * heard (its own skipped by id). An event whose seq is below that but committed later, during the
 * outage, is still missed live (its subscribers find it with since=).
 */
import { randomUUID } from "node:crypto";
import type { SQL } from "bun";
import type { TopicFanout } from "../types.ts";

const CHANNEL = "stanzagate_topics";
/** Below NOTIFY's 8000 bytes, with room for the origin, the seq, the id and the separators. */
const MAX_INLINE_BYTES = 7_850;
/** `<origin> <seq> <id> <kind><json>`: kind `=` carries the JSON, `#` nothing (read it by id). */
const PAYLOAD = /^(\S+) (\d+) (\S+) ([=#])([\s\S]*)$/;
/** Ids of this store's events not heard back yet, at most (a long outage publishes many). */
const MAX_UNHEARD = 10_000;

/** What a store's announcing and listening share: its name, and how far it has heard. */
interface Hearing {
  origin: string;
  /** Ids this store announced and has not heard back: not handed out again by a catch-up read. */
  unheard: Set<string>;
  /** The largest seq heard (or cached before the listener started). */
  heard: number;
}

export function postgresFanout(sql: SQL): TopicFanout {
  // This store's own notifications come back to its listener too: skipped by origin. A name per
  // store, not the replica's address: two stores of one address (tests, a restart) stay apart.
  const h: Hearing = { origin: randomUUID(), unheard: new Set(), heard: 0 };
  let last: Promise<unknown> = Promise.resolve();
  return {
    // One after the other: two NOTIFYs on two pooled connections could arrive swapped.
    announce(id, json) {
      const what = Buffer.byteLength(json) <= MAX_INLINE_BYTES ? `${id} =${json}` : `${id} #`;
      if (h.unheard.size < MAX_UNHEARD) h.unheard.add(id);
      const next = last.then(
        () => sql`SELECT pg_notify(${CHANNEL}, ${h.origin}::text || ' ' || coalesce((SELECT seq FROM topic_events WHERE id = ${id}), 0)::text
                                                || ' ' || ${what}::text)`,
      );
      last = next.catch(() => {});
      return next.then(() => {});
    },
    async listen(onEvent) {
      const { onNotify, onListen } = listener(sql, h, onEvent);
      await sql.listen(CHANNEL, onNotify, onListen);
    },
  };
}

function listener(sql: SQL, h: Hearing, onEvent: (json: string) => void) {
  let listened = false;
  // Events handed out during a catch-up (heard live while it read): not twice.
  let handed: Set<string> | undefined;
  const hand = (id: string, json: string) => {
    if (handed?.has(id)) return;
    handed?.add(id);
    onEvent(json);
  };
  const inOrder = inNotifiedOrder(hand);
  const catchUp = async () => {
    handed = new Set();
    const rows: Array<{ seq: string; id: string; event: string }> =
      await sql`SELECT seq, id, event FROM topic_events WHERE seq > ${h.heard} ORDER BY seq`;
    for (const row of rows) {
      h.heard = Math.max(h.heard, Number(row.seq));
      if (!h.unheard.delete(row.id)) hand(row.id, row.event);
    }
    handed = undefined;
    h.unheard.clear();
  };
  return {
    onNotify(payload: string) {
      const m = PAYLOAD.exec(payload);
      if (!m) return;
      const [, from, seq = "0", id = "", kind, json = ""] = m;
      h.heard = Math.max(h.heard, Number(seq));
      if (from === h.origin) return void h.unheard.delete(id);
      if (kind === "=") return inOrder(id, json);
      const read = sql`SELECT event FROM topic_events WHERE id = ${id}`;
      inOrder(
        id,
        read.then((rows: Array<{ event: string }>) => rows[0]?.event),
      );
    },
    onListen() {
      if (listened) return void catchUp().catch(() => {});
      listened = true;
      // Where a catch-up would start: what was cached before this listener is not news.
      void sql`SELECT coalesce(max(seq), 0) AS seq FROM topic_events`.then(
        (rows: Array<{ seq: string }>) => (h.heard = Math.max(h.heard, Number(rows[0]?.seq ?? 0))),
        () => {},
      );
    },
  };
}

/**
 * `hand` in the order the notifications came: an event too large to ride inline, read by its id,
 * is not overtaken by the next one (a subscriber gets a publisher's messages in its order). An
 * inline one with nothing read before it is handed at once.
 */
function inNotifiedOrder(hand: (id: string, json: string) => void) {
  let queued = 0;
  let order: Promise<void> = Promise.resolve();
  return (id: string, json: string | Promise<string | undefined>): void => {
    if (typeof json === "string" && queued === 0) return hand(id, json);
    queued++;
    order = order
      .then(() => json)
      .then((text) => void (text === undefined || hand(id, text)))
      .catch(() => {})
      .finally(() => void queued--);
  };
}
