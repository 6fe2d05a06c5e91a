/**
 * A user's server-side roster, read and written by the component under XEP-0356 "Roster Access"
 * (type "both"): `<iq type="get|set" to="user@host"><query xmlns="jabber:iq:roster"/></iq>`
 * from the component, answered by the server as if the user had asked (RFC 6121 §2).
 */
import { xml } from "../../src/kit/xml.ts";
import type { Element, XmppPort } from "../../src/plugin-api/index.ts";
import { fromXmppFailure } from "../../src/plugin-api/index.ts";
import { normaliseBareJid, type Contact } from "./contacts.ts";
import { SyncError } from "./sync-error.ts";

export const NS_ROSTER = "jabber:iq:roster";

/** A roster item as the server holds it (RFC 6121 §2.1.2). */
export interface RosterItem {
  subscription: string;
  name: string | undefined;
  groups: string[];
}

/** One change: set the item to `contact` (subscription both), or remove it. */
export type RosterChange = { jid: string; set: Contact } | { jid: string; remove: true };

/** RFC 6121 §2.1.3 roster get; items keyed by normalised bare JID. */
export async function getRoster(xmpp: XmppPort, user: string, timeoutMs: number): Promise<Map<string, RosterItem>> {
  const iq = xml("iq", { type: "get", to: user, from: xmpp.component }, xml("query", { xmlns: NS_ROSTER }));
  const result = await xmppCall(() => xmpp.request(iq, timeoutMs), "roster get");
  const items = new Map<string, RosterItem>();
  for (const item of result.getChild("query", NS_ROSTER)?.getChildren("item") ?? []) {
    const jid = normaliseBareJid(item.attrs.jid ?? "");
    if (jid === undefined) continue;
    const groups = item
      .getChildren("group")
      .map((g) => g.getText())
      .filter((g) => g !== "");
    items.set(jid, {
      subscription: item.attrs.subscription ?? "none",
      name: item.attrs.name || undefined,
      groups: [...new Set(groups)].sort(),
    });
  }
  return items;
}

/**
 * RFC 6121 §2.1.5 says a roster set carries one item, and ejabberd refuses more (bad-request).
 * mod_privilege (Prosody 0.12) accepts several and answers each with its own result carrying the
 * iq's id, so with `items_per_set` > 1 one iq carries many changes and the caller counts the
 * answers (replies.ts).
 */
export function rosterSet(component: string, user: string, changes: readonly RosterChange[]): Element {
  const query = xml("query", { xmlns: NS_ROSTER });
  for (const change of changes) {
    if ("remove" in change) query.cnode(xml("item", { jid: change.jid, subscription: "remove" }));
    else query.cnode(itemElement(change.jid, change.set));
  }
  return xml("iq", { type: "set", to: user, from: component }, query);
}

/** The web app's contact as a roster item: mutual subscription, as the original module gave. */
function itemElement(jid: string, contact: Contact): Element {
  const item = xml("item", { jid, subscription: "both", ...(contact.name === undefined ? {} : { name: contact.name }) });
  for (const group of contact.groups) item.cnode(xml("group", {}, group));
  return item;
}

/**
 * XEP-0356 0.4 lets servers forward the users' roster pushes to a component with roster
 * "get" or "both"; RFC 6121 §2.1.6 wants each acknowledged. Returns the answer, or undefined when
 * `stanza` is no such push.
 */
export function rosterPushAck(stanza: Element, host: string): Element | undefined {
  if (stanza.name !== "iq" || stanza.attrs.type !== "set" || !stanza.getChild("query", NS_ROSTER)) return undefined;
  const from = stanza.attrs.from ?? "";
  if (!from.toLowerCase().endsWith(`@${host}`)) return undefined;
  return xml("iq", { type: "result", id: stanza.attrs.id, to: from, from: stanza.attrs.to });
}

/** Runs an XMPP call, turning its failures into SyncErrors a caller can be told about. */
async function xmppCall<T>(call: () => Promise<T>, what: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toSyncError(err, what);
  }
}

export function toSyncError(err: unknown, what: string): SyncError {
  if (err instanceof SyncError) return err;
  const failure = fromXmppFailure(err, what);
  if (failure?.code === "LINK_DOWN") return new SyncError("LINK_DOWN", "not connected to the XMPP server");
  if (failure) return new SyncError(failure.spec, failure.message, failure.code === "XMPP_ERROR" ? failure.details : {});
  return new SyncError("XMPP_ERROR", `${what} failed: ${(err as Error).message}`);
}
