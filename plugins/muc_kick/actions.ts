/**
 * The two moderation actions, as muc#admin iqs sent from the gateway's occupant JID:
 * kick = XEP-0045 §8.2 (role "none", by nick), ban = §9.1 (affiliation "outcast", by bare JID).
 * The room's refusal is returned, not thrown: it becomes "Couldn't kick user: <type>: <condition>".
 */
import { xml } from "../../src/kit/xml.ts";
import { XmppStanzaError, type Element } from "../../src/plugin-api/index.ts";
import { parseJid } from "../../src/kit/jid.ts";
import type { Jid, KickRequest } from "./body.ts";
import type { HeldRoom } from "../../src/plugin-api/index.ts";

const NS_MUC_ADMIN = "http://jabber.org/protocol/muc#admin";

/** The room's (or our own) reason for not doing it: an XMPP error type and condition. */
export interface Refusal {
  type: string;
  condition: string;
  text?: string;
}

/** What the room answers for a nick not in it; used alike when no occupant has the JID. */
const NOT_IN_ROOM: Refusal = { type: "modify", condition: "item-not-found" };

export interface ActionDeps {
  request(iq: Element, timeoutMs?: number): Promise<Element>;
  acquire(room: string): Promise<HeldRoom>;
  /** The gateway's occupant JID, from which the iqs go. */
  from: string;
  timeoutMs: number;
}

export async function kick(deps: ActionDeps, req: KickRequest, room: string): Promise<Refusal | undefined> {
  const held = await enter(deps, room);
  if ("condition" in held) return held;
  try {
    const { target } = req;
    const nicks = target.kind === "nick" ? [target.nick] : nicksWithJid(held.occupants, target.jid);
    if (nicks.length === 0) return NOT_IN_ROOM;
    for (const nick of nicks) {
      const refusal = await adminSet(deps, room, held.from, xml("item", { nick, role: "none" }, xml("reason", {}, req.reason)));
      if (refusal) return refusal;
    }
    return undefined;
  } finally {
    held.release();
  }
}

/** A ban by JID needs no seat in the room (affiliations are the admins' list); by nick it does. */
export async function ban(deps: ActionDeps, req: KickRequest, room: string): Promise<Refusal | undefined> {
  const { target } = req;
  if (target.kind === "jid") return banJid(deps, room, deps.from, `${target.jid.local}@${target.jid.domain}`, req.reason);
  const held = await enter(deps, room);
  if ("condition" in held) return held;
  try {
    if (!held.occupants.has(target.nick)) return NOT_IN_ROOM;
    const real = parseJid(held.occupants.get(target.nick) ?? "");
    if (!real) return { type: "cancel", condition: "not-allowed", text: "The room does not show this occupant's real JID to the gateway" };
    return await banJid(deps, room, held.from, `${real.local ? real.local + "@" : ""}${real.domain}`, req.reason);
  } finally {
    held.release();
  }
}

/** A room that will not let the gateway in (§7.2.6 password, §7.2.7 ban...) refuses the kick too. */
async function enter(deps: ActionDeps, room: string): Promise<HeldRoom | Refusal> {
  try {
    return await deps.acquire(room);
  } catch (err) {
    if (!(err instanceof XmppStanzaError)) throw err;
    return refusalOf(err, `The gateway could not join the room${why(err)}`);
  }
}

/**
 * The room's own words, else what its condition means. The room answered disco#info (locate.ts),
 * so an item-not-found to the join is most likely a room still locked: created, not yet
 * configured by its owner (XEP-0045 §10.1.2), which refuses entry with item-not-found.
 */
function why(err: XmppStanzaError): string {
  if (err.text) return `: ${err.text}`;
  return err.condition === "item-not-found" ? ": it does not exist or is locked" : "";
}

function banJid(deps: ActionDeps, room: string, from: string, bare: string, reason: string): Promise<Refusal | undefined> {
  return adminSet(deps, room, from, xml("item", { affiliation: "outcast", jid: bare }, xml("reason", {}, reason)));
}

/** From the seat's occupant JID: the room knows the gateway's moderator as that real JID. */
async function adminSet(deps: ActionDeps, room: string, from: string, item: Element): Promise<Refusal | undefined> {
  const iq = xml("iq", { type: "set", to: room, from }, xml("query", { xmlns: NS_MUC_ADMIN }, item));
  try {
    await deps.request(iq, deps.timeoutMs);
    return undefined;
  } catch (err) {
    if (!(err instanceof XmppStanzaError)) throw err;
    return refusalOf(err, err.text);
  }
}

function refusalOf(err: XmppStanzaError, text: string | undefined): Refusal {
  return { type: err.type, condition: err.condition, ...(text ? { text } : {}) };
}

/** Occupants whose real JID is `jid`: the exact full JID if it has a resource, else any resource. */
export function nicksWithJid(occupants: ReadonlyMap<string, string | undefined>, jid: Jid): string[] {
  const want = (j: Jid) =>
    j.local.toLowerCase() === jid.local.toLowerCase() && j.domain === jid.domain && (!jid.resource || j.resource === jid.resource);
  return [...occupants]
    .filter(([, real]) => {
      const j = real ? parseJid(real) : undefined;
      return j !== undefined && want(j);
    })
    .map(([nick]) => nick);
}
