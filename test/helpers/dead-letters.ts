// What a store's dead letters hold, as tests compare them: each message's body and the reason's
// code (`ROOM_REFUSED item-not-found`, `ROOMS_FULL`), in the order they were given up.
import { Database } from "bun:sqlite";

export function deadLetters(store: string): Array<[string | undefined, string | undefined]> {
  const db = new Database(store, { readonly: true });
  try {
    const dead = db.query<{ stanza: string; reason: string }, []>("SELECT stanza, reason FROM dead_letter ORDER BY seq").all();
    return dead.map((d) => [/<body>(.*)<\/body>/.exec(d.stanza)?.[1], d.reason.split(":")[0]]);
  } finally {
    db.close();
  }
}
