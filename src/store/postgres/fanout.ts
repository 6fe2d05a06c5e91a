/**
 * Topic events across replicas (issue 26 §2) over PostgreSQL's LISTEN/NOTIFY: a replica that
 * published an event (cached first: topics/topics.ts) notifies the channel; every other replica's
 * listener hands it to its live subscribers. Bun.SQL listens on one dedicated connection and
 * re-listens after it drops; what is notified meanwhile is not delivered live (PostgreSQL keeps
 * nothing for a session that is not listening), and the subscriber finds it with since=.
 * A payload is at most 8000 bytes (PostgreSQL docs, NOTIFY): a larger event is announced by its
 * id and read from the cache by the listeners.
 */
import { randomUUID } from "node:crypto";
import type { SQL } from "bun";
import type { TopicFanout } from "../types.ts";

const CHANNEL = "stanzagate_topics";
/** Below NOTIFY's 8000 bytes, with room for the origin and the separator. */
const MAX_INLINE_BYTES = 7_900;
/** `<origin> <kind><id or json>`: kind `=` carries the JSON, `#` the id alone. */
const PAYLOAD = /^(\S+) ([=#])([\s\S]*)$/;

export function postgresFanout(sql: SQL): TopicFanout {
  // This store's own notifications come back to its listener too: skipped by origin. A name per
  // store, not the replica's address: two stores of one address (tests, a restart) stay apart.
  const origin = randomUUID();
  let last: Promise<unknown> = Promise.resolve();
  return {
    // One after the other: two NOTIFYs on two pooled connections could arrive swapped.
    announce(id, json) {
      const payload = Buffer.byteLength(json) <= MAX_INLINE_BYTES ? `${origin} =${json}` : `${origin} #${id}`;
      const next = last.then(() => sql.notify(CHANNEL, payload));
      last = next.catch(() => {});
      return next;
    },
    async listen(onEvent) {
      await sql.listen(CHANNEL, (payload) => {
        const m = PAYLOAD.exec(payload);
        if (!m || m[1] === origin) return;
        if (m[2] === "=") return onEvent(m[3] as string);
        void sql`SELECT event FROM topic_events WHERE id = ${m[3]}`.then(
          (rows: Array<{ event: string }>) => rows[0] && onEvent(rows[0].event),
          () => {},
        );
      });
    },
  };
}
