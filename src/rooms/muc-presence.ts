/** The XEP-0045 presences the gateway sends (join, leave) and reads (occupants, its own). */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
/** XEP-0045 §19.1. */
const NS_MUC = "http://jabber.org/protocol/muc";

const NS_MUC_USER = "http://jabber.org/protocol/muc#user";

/** What a presence from a room tells about one occupant. */
export interface OccupantPresence {
  /** The room's bare JID, lowercased. */
  room: string;
  nick: string;
  available: boolean;
  error: boolean;
  /** §7.2.2 status 110: this presence is about the gateway itself. */
  self: boolean;
  /** §10.1.1 status 201: the gateway's join created the room. */
  created: boolean;
  /** The occupant's real JID, when the room shows it to us (§7.2.3). */
  realJid: string | undefined;
}

export function readOccupantPresence(stanza: Element): OccupantPresence | undefined {
  const from = stanza.attrs.from ?? "";
  const slash = from.indexOf("/");
  if (stanza.name !== "presence" || slash === -1) return undefined;
  const x = stanza.getChild("x", NS_MUC_USER);
  const codes = new Set(x?.getChildren("status").map((s) => s.attrs.code) ?? []);
  return {
    room: from.slice(0, slash).toLowerCase(),
    nick: from.slice(slash + 1),
    available: stanza.attrs.type === undefined,
    error: stanza.attrs.type === "error",
    self: codes.has("110"),
    created: codes.has("201"),
    realJid: x?.getChild("item")?.attrs.jid,
  };
}

/** §7.2.1, with §7.2.6's password and §7.2.15's history request: no history is wanted. */
export function joinPresence(room: string, nick: string, from: string, password: string | undefined): Element {
  const x = xml("x", { xmlns: NS_MUC }, xml("history", { maxstanzas: "0" }));
  if (password !== undefined) x.c("password").t(password);
  return xml("presence", { to: `${room}/${nick}`, from }, x);
}

/** §7.14: exiting a room. */
export function leavePresence(room: string, nick: string, from: string): Element {
  return xml("presence", { to: `${room}/${nick}`, from, type: "unavailable" });
}
