/**
 * A plugin's keyed values in memory (store/plugin-store.ts) kept fresh against the writes of other
 * replicas sharing a PostgreSQL store (issue 26). Each key holds the rev of the write its value
 * came from (store/types.ts KeyedChange): a value offered (read from the store, or announced by
 * another replica) replaces it only if its rev is larger, so an older write arriving late, or a
 * read that raced a newer announcement, never undoes a newer one.
 *
 * A write of this replica is applied to memory at once (the plugin API is synchronous) and has no
 * rev until the store answers. Meanwhile what others wrote of that key waits: the store tells
 * which came last when the write returns its rev, and the later of the two stays.
 */
import type { KeyedWrite } from "./types.ts";

export type Values = Map<string, Map<string, string>>;

interface KeyState {
  /** The rev of the value held (or of its deletion); -1: none known yet. */
  rev: number;
  /** This replica's writes of the key the store has not answered yet. */
  pending: number;
  /** The newest value offered while writes were pending. */
  waiting?: { json: string | undefined; rev: number };
}

/**
 * Deleted keys remembered with their rev, so an older write of one announced late does not bring
 * it back; past this many the oldest are forgotten (the topics of bounded-keyed.ts come and go).
 */
const MAX_FORGOTTEN_KEYS = 10_000;

export interface KeyedView {
  /** A value as the store has it at `rev` (`json` undefined: absent); kept if newer than the held one. */
  offer(collection: string, key: string, json: string | undefined, rev: number): void;
  /** This replica wrote `w` (already in `values`); the answer is told the write's rev, undefined if it failed. */
  wrote(w: KeyedWrite): (rev: number | undefined) => void;
  /**
   * Catches up with the store after announcements were lost: `read` gives every value as the store
   * holds it now. Newer values are kept; a key the store no longer holds is forgotten unless it was
   * written here, or announced, since the read began (then the view's is the newer).
   */
  resync(read: () => Promise<Array<{ collection: string; key: string; json: string; rev?: number }>>): Promise<void>;
}

export function collection(values: Values, name: string): Map<string, string> {
  let c = values.get(name);
  if (!c) values.set(name, (c = new Map()));
  return c;
}

export function keyedView(values: Values): KeyedView {
  const states = new Map<string, KeyState>();
  const deleted = new Set<string>();
  const slot = (c: string, k: string) => JSON.stringify([c, k]);
  const state = (s: string) => {
    let st = states.get(s);
    if (!st) states.set(s, (st = { rev: -1, pending: 0 }));
    return st;
  };
  const remember = (s: string, json: string | undefined) => {
    deleted.delete(s);
    if (json !== undefined) return;
    deleted.add(s);
    if (deleted.size <= MAX_FORGOTTEN_KEYS) return;
    const oldest = deleted.values().next().value as string;
    deleted.delete(oldest);
    if (states.get(oldest)?.pending === 0 && !states.get(oldest)?.waiting) states.delete(oldest);
  };
  const offer = (c: string, k: string, json: string | undefined, rev: number): void => {
    const s = slot(c, k);
    const st = state(s);
    if (st.pending > 0) {
      if (!st.waiting || rev > st.waiting.rev) st.waiting = { json, rev };
      return;
    }
    if (rev <= st.rev) return;
    st.rev = rev;
    if (json === undefined) collection(values, c).delete(k);
    else collection(values, c).set(k, json);
    remember(s, json);
  };
  const resync: KeyedView["resync"] = async (read) => {
    const before = new Map<string, number>();
    for (const [c, held] of values) for (const k of held.keys()) before.set(slot(c, k), state(slot(c, k)).rev);
    const rows = await read();
    const present = new Set<string>();
    for (const row of rows) {
      present.add(slot(row.collection, row.key));
      offer(row.collection, row.key, row.json, row.rev ?? 0);
    }
    for (const [c, held] of values)
      for (const k of [...held.keys()]) {
        const s = slot(c, k);
        const st = state(s);
        if (present.has(s) || st.pending > 0 || st.rev !== before.get(s)) continue;
        held.delete(k);
        remember(s, undefined);
      }
  };
  return {
    offer,
    resync,
    wrote(w) {
      const s = slot(w.collection, w.key);
      const st = state(s);
      st.pending++;
      remember(s, w.json);
      return (rev) => {
        st.pending--;
        if (rev !== undefined) st.rev = Math.max(st.rev, rev);
        const waiting = st.waiting;
        if (st.pending > 0 || !waiting) return;
        st.waiting = undefined;
        offer(w.collection, w.key, waiting.json, waiting.rev);
      };
    },
  };
}
