/**
 * XEP-0356 (Privileged Entity), namespace urn:xmpp:privilege:2. The server tells a component what
 * it may do in a <message><privilege/></message> right after the handshake (§4 "Advertise
 * permissions"): one <perm access="roster|message|presence" type="..."/> per granted access.
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";

export const NS_PRIVILEGE = "urn:xmpp:privilege:2";
export const NS_FORWARD = "urn:xmpp:forward:0";

export interface Privileges {
  roster: "none" | "get" | "set" | "both";
  message: "none" | "outgoing";
  presence: "none" | "managed_entity" | "roster";
}

export const NO_PRIVILEGES: Privileges = Object.freeze({ roster: "none", message: "none", presence: "none" });

/** The advertisement in `stanza`, or undefined when it is something else. */
export function readAdvertisement(stanza: Element): Privileges | undefined {
  if (stanza.name !== "message") return undefined;
  const privilege = stanza.getChild("privilege", NS_PRIVILEGE);
  if (!privilege) return undefined;
  const granted: Record<string, string> = {};
  for (const perm of privilege.getChildren("perm")) {
    const { access, type } = perm.attrs;
    if (access && type) granted[access] = type;
  }
  return {
    roster: pick(granted.roster, ["get", "set", "both"], "none"),
    message: pick(granted.message, ["outgoing"], "none"),
    presence: pick(granted.presence, ["managed_entity", "roster"], "none"),
  };
}

function pick<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/**
 * §5.2 (message permission "outgoing"): the component sends a <message> to the server, wrapping
 * the stanza in <privilege><forwarded/></privilege>; the server then sends it as if the user had.
 */
export function wrapPrivilegedMessage(message: Element, server: string, component: string): Element {
  return xml(
    "message",
    { from: component, to: server },
    xml("privilege", { xmlns: NS_PRIVILEGE }, xml("forwarded", { xmlns: NS_FORWARD }, withClientNs(message))),
  );
}

/** The forwarded stanza is a client stanza (XEP-0356 §5.2 example 13 uses jabber:client). */
function withClientNs(message: Element): Element {
  message.attrs.xmlns = "jabber:client";
  return message;
}
