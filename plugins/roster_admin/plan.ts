/**
 * What to change on the server so a user's roster shows what the web app lists.
 *
 * The web app wins for every contact it lists (added, or reset to its name, groups and
 * subscription "both" when the user or anything else changed them). A contact it no longer lists
 * is removed when the gateway manages it (the gateway set it before), or always in `exclusive`
 * mode, where the web app owns the whole roster as with the original module. Items already as
 * wanted are left alone: no change, no roster push.
 */
import type { Contact, Contacts } from "./contacts.ts";
import type { RosterChange, RosterItem } from "./roster-iq.ts";

export interface PlanInput {
  wanted: Contacts;
  current: ReadonlyMap<string, RosterItem>;
  /** Contacts the gateway set at earlier syncs. */
  managed: ReadonlySet<string>;
  exclusive: boolean;
}

export function planChanges({ wanted, current, managed, exclusive }: PlanInput): RosterChange[] {
  const changes: RosterChange[] = [];
  for (const [jid, contact] of wanted) {
    const item = current.get(jid);
    if (!item || !matches(item, contact)) changes.push({ jid, set: contact });
  }
  for (const jid of current.keys()) {
    if (!wanted.has(jid) && (exclusive || managed.has(jid))) changes.push({ jid, remove: true });
  }
  return changes;
}

function matches(item: RosterItem, contact: Contact): boolean {
  return (
    item.subscription === "both" &&
    item.name === contact.name &&
    item.groups.length === contact.groups.length &&
    item.groups.every((g, i) => g === contact.groups[i])
  );
}
