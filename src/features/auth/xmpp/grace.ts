/**
 * `offline_grace_s`: while the XMPP server cannot check a password, a password that logged in as
 * that user within the grace is still accepted, so that post_msg queues instead of answering 503.
 * The store keeps, per user, the last password that logged in as an argon2id hash (salted, slow
 * to guess from a stolen file) and when it last did; it survives a restart like the outbox.
 */
import { createHash, randomBytes } from "node:crypto";
import { LruMap } from "../../../kit/bounded.ts";
import type { Store } from "../../../store/types.ts";

export interface Grace {
  /** After the server accepted `password` for `jid`. */
  remember(jid: string, password: string): Promise<void>;
  /** Whether `password` logged in as `jid` within the grace. */
  recall(jid: string, password: string): Promise<boolean>;
}

/** OWASP's minimum for argon2id: 19 MiB, 2 passes; computed once per user and password. */
const ARGON2 = { algorithm: "argon2id", memoryCost: 19_456, timeCost: 2 } as const;
const MAX_WRITTEN = 10_000;

const NO_GRACE: Grace = { remember: async () => {}, recall: async () => false };

export function createGrace(store: Store | undefined, scheme: string, graceS: number, now: () => number = Date.now): Grace {
  if (!store || graceS <= 0) return NO_GRACE;
  const rows = store.grace;
  // Forgotten before the first recall: every recall waits for it.
  const expired = rows.expire(scheme, now() - graceS * 1000);
  expired.catch(() => {}); // told to the first remember or recall, which await it
  // Pairs whose hash this process wrote: refreshing them is one UPDATE, not another argon2id.
  const salt = randomBytes(16);
  const written = new LruMap<string, string>(MAX_WRITTEN);
  const pairKey = (jid: string, password: string) =>
    createHash("sha256").update(salt).update(jid).update("\0").update(password).digest("base64");
  return {
    async remember(jid, password) {
      await expired;
      const k = pairKey(jid, password);
      if (written.get(jid) === k) return rows.touch(scheme, jid, now());
      await rows.put(scheme, jid, await Bun.password.hash(password, ARGON2), now());
      written.set(jid, k);
    },
    async recall(jid, password) {
      await expired;
      const row = await rows.get(scheme, jid);
      if (!row || row.valid_at < now() - graceS * 1000) return false;
      return Bun.password.verify(password, row.hash);
    },
  };
}
