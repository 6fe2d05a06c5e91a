/**
 * XEP-0356 grants as plugins see them. The server advertises them right after the handshake
 * (§4); a server that grants nothing sends nothing, so the link calls them "settled" once the
 * advertisement came or its grace passed (src/xmpp/link.ts ADVERTISEMENT_GRACE_MS, the one
 * constant). A plugin declares what it needs (PluginDefinition `privileges`); the host then waits
 * for the grants and warns once per connection when one is missing, with the plugin's reason.
 *
 * Two namespaces are in use: urn:xmpp:privilege:1 (XEP-0356 0.2, ejabberd up to 24.07) and
 * urn:xmpp:privilege:2 (0.3 and later: Prosody's mod_privilege, ejabberd 24.10+). Both carry the
 * same <perm/> elements; a privileged message (§5.2) must be wrapped in the namespace the server
 * advertised, as each server accepts only its own.
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";

/** One permission a plugin needs, and what happens without it. */
export interface PrivilegeNeed {
  access: "roster" | "message" | "presence";
  /** Any of these grant types will do. */
  types: readonly string[];
  /** What the operator loses without it: "refreshes will answer 503 until the server grants it". */
  without: string;
  /** Extra fields for the warning (the plugin's addresses, a setup hint). */
  fields?: Record<string, unknown>;
}

export function isGranted(need: PrivilegeNeed, granted: Privileges): boolean {
  return need.types.includes(granted[need.access]);
}

/** What `onGrants` listens to: a port that says when grants arrive or are settled without one. */
export interface GrantSource {
  privileges(): Privileges;
  on(event: "privileges" | "settled", listener: () => void): void;
}

/**
 * Calls `known` with this connection's grants once they are known: when the advertisement arrives
 * and when the link settles without one (a reconnect calls it again).
 */
export function onGrants(source: GrantSource, known: (granted: Privileges) => void): void {
  source.on("privileges", () => known(source.privileges()));
  source.on("settled", () => known(source.privileges()));
}

export const NS_PRIVILEGE_1 = "urn:xmpp:privilege:1";
export const NS_PRIVILEGE_2 = "urn:xmpp:privilege:2";
/** The newest namespace: used until a server advertises another. */
const NS_PRIVILEGE = NS_PRIVILEGE_2;
const NS_FORWARD = "urn:xmpp:forward:0";
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
