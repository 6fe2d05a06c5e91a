// Small stanza predicates for nextStanza()/collect(). JID arguments without a
// resource match any resource of that bare JID; with a resource they must match exactly.
import type { Element } from "ltx";
import type { StanzaPredicate } from "./stanza-inbox.ts";

export const NS_MUC = "http://jabber.org/protocol/muc";
export const NS_MUC_USER = "http://jabber.org/protocol/muc#user";
export const NS_MUC_OWNER = "http://jabber.org/protocol/muc#owner";
export const NS_PRIVILEGE = "urn:xmpp:privilege:2";

function bareJid(jid: string): string {
  const slash = jid.indexOf("/");
  return slash === -1 ? jid : jid.slice(0, slash);
}

/** Does `actual` (a stanza address) designate `expected` (bare = any resource)? */
export function jidMatches(actual: string | undefined, expected: string): boolean {
  if (actual === undefined) return false;
  return expected.includes("/") ? actual === expected : bareJid(actual) === expected;
}

export const isMessage: StanzaPredicate = (s) => s.name === "message";
export const isPresence: StanzaPredicate = (s) => s.name === "presence";

/** A non-error message carrying a <body/> (chat states and receipts have none). */
export const isMessageWithBody: StanzaPredicate = (s) => isMessage(s) && s.attrs.type !== "error" && s.getChild("body") !== undefined;

export function messageWithBody(text: string): StanzaPredicate {
  return (s) => isMessageWithBody(s) && s.getChildText("body") === text;
}

export function isFrom(jid: string): StanzaPredicate {
  return (s) => jidMatches(s.attrs.from, jid);
}

export function isMessageFrom(jid: string): StanzaPredicate {
  return (s) => isMessage(s) && jidMatches(s.attrs.from, jid);
}

export function isPresenceFrom(jid: string): StanzaPredicate {
  return (s) => isPresence(s) && jidMatches(s.attrs.from, jid);
}

function hasChild(name: string, xmlns: string): StanzaPredicate {
  return (s) => s.getChild(name, xmlns) !== undefined;
}

/** The XEP-0356 §4.2 <message><privilege xmlns="urn:xmpp:privilege:2"/></message> announcement. */
export const isPrivilegeAdvertisement: StanzaPredicate = (s) => isMessage(s) && hasChild("privilege", NS_PRIVILEGE)(s);

/** XEP-0045 MUC presence carrying all of `codes` in <x xmlns="muc#user"><status code/></x>. */
export function hasMucStatus(...codes: string[]): StanzaPredicate {
  return (s) => {
    const statuses = s.getChild("x", NS_MUC_USER)?.getChildren("status") ?? [];
    const present = new Set(statuses.map((status) => status.attrs.code));
    return codes.every((code) => present.has(code));
  };
}

/** Our own presence in `roomJid` (status 110) or the room's error presence for our join. */
export function isMucJoinOutcome(roomJid: string): StanzaPredicate {
  return (s) => isPresence(s) && jidMatches(s.attrs.from, roomJid) && (s.attrs.type === "error" || hasMucStatus("110")(s));
}

export function allOf(...predicates: StanzaPredicate[]): StanzaPredicate {
  return (s) => predicates.every((p) => p(s));
}

/** attribute -> value of the <perm/> children of a privilege advertisement (e.g. roster -> both). */
export function privilegePerms(advertisement: Element): Record<string, string> {
  const perms: Record<string, string> = {};
  const privilege = advertisement.getChild("privilege", NS_PRIVILEGE);
  for (const perm of privilege?.getChildren("perm") ?? []) {
    const access = perm.attrs.access;
    const type = perm.attrs.type;
    if (access !== undefined && type !== undefined) perms[access] = type;
  }
  return perms;
}
