/**
 * One user's sync: fetch the web app's contacts, and make the server-side roster match.
 *
 * A refresh whose answer equals the last synced snapshot ends there, with no XMPP traffic at all
 * (that is what keeps a no-change refresh of thousands of users cheap). Otherwise, and at login,
 * the gateway reads the roster (XEP-0356 "Roster Access"), so changes the user made directly are seen too,
 * and writes only the differences, many items per roster set.
 */
import type { Logger, XmppPort } from "../../src/plugin-api.ts";
import { canonical, type Contacts } from "./contacts.ts";
import { planChanges } from "./plan.ts";
import type { ReplyCollector } from "./replies.ts";
import { getRoster, rosterSet, toSyncError, type RosterChange } from "./roster-iq.ts";
import type { SnapshotStore } from "./snapshots.ts";

/** Items per roster set: keeps each stanza far below server stanza size limits (256 KiB for c2s). */
const MAX_ITEMS_PER_SET = 100;
/** mod_privilege answers item-not-found when asked to remove an item that is already gone. */
const ALREADY_SO = new Set(["item-not-found"]);

export interface SyncDeps {
  xmpp: XmppPort;
  snapshots: SnapshotStore;
  replies: ReplyCollector;
  fetchContacts(username: string, owner: string): Promise<Contacts>;
  exclusive: boolean;
  xmppTimeoutMs: number;
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
  for (let i = 0; i < changes.length; i += MAX_ITEMS_PER_SET) {
    const batch = changes.slice(i, i + MAX_ITEMS_PER_SET);
    const iq = rosterSet(deps.xmpp.component, owner, batch);
    await deps.replies.call(send, iq, batch.length, deps.xmppTimeoutMs, ALREADY_SO);
  }
}
