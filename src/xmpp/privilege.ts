/**
 * XEP-0356 (Privileged Entity). The server tells a component what it may do in a
 * <message><privilege/></message> right after the handshake (§4 "Advertise permissions"): one
 * <perm access="roster|message|presence" type="..."/> per granted access.
 *
 * Two namespaces are in use: urn:xmpp:privilege:1 (XEP-0356 0.2, ejabberd up to 24.07) and
 * urn:xmpp:privilege:2 (0.3 and later: Prosody's mod_privilege, ejabberd 24.10+). Both carry the
 * same <perm/> elements; a privileged message (§5.2) must be wrapped in the namespace the server
 * advertised, as each server accepts only its own.
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";

export const NS_PRIVILEGE_1 = "urn:xmpp:privilege:1";
export const NS_PRIVILEGE_2 = "urn:xmpp:privilege:2";
/** The newest namespace: used until a server advertises another. */
export const NS_PRIVILEGE = NS_PRIVILEGE_2;
export const NS_FORWARD = "urn:xmpp:forward:0";
export type PrivilegeNamespace = typeof NS_PRIVILEGE_1 | typeof NS_PRIVILEGE_2;
const KNOWN_NAMESPACES: readonly string[] = [NS_PRIVILEGE_1, NS_PRIVILEGE_2];

export interface Privileges {
  roster: "none" | "get" | "set" | "both";
  message: "none" | "outgoing";
  presence: "none" | "managed_entity" | "roster";
  /** The namespace of the advertisement these came from; absent while nothing was advertised. */
  namespace?: PrivilegeNamespace;
}

export const NO_PRIVILEGES: Privileges = Object.freeze({ roster: "none", message: "none", presence: "none" });

export function isPrivilegeNamespace(ns: string | undefined): ns is PrivilegeNamespace {
  return ns !== undefined && KNOWN_NAMESPACES.includes(ns);
}

/**
 * The namespace of a <message><privilege xmlns="urn:xmpp:privilege:N"/></message> whose version
 * this code does not know, so the caller can say so instead of silently ignoring the server.
 */
export function unknownPrivilegeNamespace(stanza: Element): string | undefined {
  if (stanza.name !== "message") return undefined;
  const ns = stanza.getChildElements().find((c) => c.name === "privilege")?.attrs.xmlns as string | undefined;
  return ns !== undefined && ns.startsWith("urn:xmpp:privilege:") && !isPrivilegeNamespace(ns) ? ns : undefined;
}

/** The advertisement in `stanza` (either namespace), or undefined when it is something else. */
export function readAdvertisement(stanza: Element): Privileges | undefined {
  if (stanza.name !== "message") return undefined;
  const namespace = ([NS_PRIVILEGE_2, NS_PRIVILEGE_1] as const).find((ns) => stanza.getChild("privilege", ns) !== undefined);
  const privilege = namespace === undefined ? undefined : stanza.getChild("privilege", namespace);
  if (!privilege || namespace === undefined) return undefined;
  const granted: Record<string, string> = {};
  for (const perm of privilege.getChildren("perm")) {
    const { access, type } = perm.attrs;
    if (access && type) granted[access] = type;
  }
  return {
    roster: pick(granted.roster, ["get", "set", "both"], "none"),
    message: pick(granted.message, ["outgoing"], "none"),
    presence: pick(granted.presence, ["managed_entity", "roster"], "none"),
    namespace,
  };
}

function pick<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/**
 * §5.2 (message permission "outgoing"): the component sends a <message> to the server, wrapping
 * the stanza in <privilege><forwarded/></privilege>; the server then sends it as if the user had.
 */
export function wrapPrivilegedMessage(message: Element, server: string, component: string, namespace: PrivilegeNamespace = NS_PRIVILEGE): Element {
  return xml(
    "message",
    { from: component, to: server },
    xml("privilege", { xmlns: namespace }, xml("forwarded", { xmlns: NS_FORWARD }, withClientNs(message))),
  );
}

/** The forwarded stanza is a client stanza (XEP-0356 §5.2 example 13 uses jabber:client). */
function withClientNs(message: Element): Element {
  message.attrs.xmlns = "jabber:client";
  return message;
}
