/**
 * One user's sync: fetch the web app's contacts, and make the server-side roster match.
 *
 * A refresh whose answer equals the last synced snapshot ends there, with no XMPP traffic at all
 * (that is what keeps a no-change refresh of thousands of users cheap). Otherwise, and at login,
 * the gateway reads the roster (XEP-0356 "Roster Access"), so changes the user made directly are seen too,
 * and writes only the differences: one item per roster set unless the server is known to take
 * more (`items_per_set`), several sets in flight at once.
 */
import type { Logger, XmppPort } from "../../src/plugin-api/index.ts";
import { canonical, type Contacts } from "./contacts.ts";
import { planChanges } from "./plan.ts";
import type { ReplyCollector } from "./replies.ts";
import { getRoster, rosterSet, toSyncError, type RosterChange } from "./roster-iq.ts";
import type { SnapshotStore } from "./snapshots.ts";

/**
 * Roster sets of one user in flight at once. RFC 6121 §2.1.5 allows one item per set, so a sync of
 * many changes is many sets: sent without waiting for each answer, they cost about what one
 * batched set costs (bench/README.md, "roster").
 */
const SETS_IN_FLIGHT = 32;
/** mod_privilege answers item-not-found when asked to remove an item that is already gone. */
const ALREADY_SO = new Set(["item-not-found"]);

export interface SyncDeps {
  xmpp: XmppPort;
  snapshots: SnapshotStore;
  replies: ReplyCollector;
  fetchContacts(username: string, owner: string): Promise<Contacts>;
  exclusive: boolean;
  xmppTimeoutMs: number;
  /** Items per roster set now: 1 (RFC 6121 §2.1.5, every server) unless the server takes more. */
  itemsPerSet(): number;
  /** Told each roster write's outcome, for /health. */
  writes?: { ok(): void; failed(err: unknown): void };
  log: Logger;
}

/** "refresh" trusts the snapshot when the web app's answer is unchanged; "login" always reconciles. */
export type SyncMode = "refresh" | "login";

/** Resolves with the number of roster changes made; rejects with a SyncError. */
export async function syncUser(username: string, mode: SyncMode, deps: SyncDeps): Promise<number> {
  const owner = `${username}@${deps.xmpp.host}`;
  const wanted = await deps.fetchContacts(username, owner);
  const text = canonical(wanted);
  const before = deps.snapshots.get(username);
  if (mode === "refresh" && before?.clean && before.roster === text) return 0;

  const current = await getRoster(deps.xmpp, owner, deps.xmppTimeoutMs);
  const managed = new Set(before?.managed ?? []);
  const changes = planChanges({ wanted, current, managed, exclusive: deps.exclusive });
  try {
    await applyChanges(owner, changes, deps);
  } catch (err) {
    // Some sets may have landed: remember every contact that might now be ours, and reconcile next time.
    deps.snapshots.save(username, { roster: text, managed: [...new Set([...managed, ...wanted.keys()])], clean: false });
    throw toSyncError(err, "roster set");
  }
  deps.snapshots.save(username, { roster: text, managed: [...wanted.keys()], clean: true });
  if (changes.length > 0) deps.log.debug("roster synced", { user: username, mode, changes: changes.length });
  return changes.length;
}

async function applyChanges(owner: string, changes: readonly RosterChange[], deps: SyncDeps): Promise<void> {
  const send = (el: Parameters<XmppPort["send"]>[0]) => deps.xmpp.send(el);
  const batches: RosterChange[][] = [];
  const size = deps.itemsPerSet();
  for (let i = 0; i < changes.length; i += size) batches.push(changes.slice(i, i + size));
  let next = 0;
  let failure: { err: unknown } | undefined;
  // A few workers take the next set as soon as theirs is answered; after a refusal no new set is sent.
  const worker = async () => {
    while (next < batches.length && failure === undefined) {
      const batch = batches[next++] as RosterChange[];
      try {
        await deps.replies.call(send, rosterSet(deps.xmpp.component, owner, batch), batch.length, deps.xmppTimeoutMs, ALREADY_SO);
        deps.writes?.ok();
      } catch (err) {
        failure ??= { err };
        deps.writes?.failed(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SETS_IN_FLIGHT, batches.length) }, worker));
  if (failure) throw failure.err;
}
