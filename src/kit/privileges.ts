/**
 * XEP-0356 helpers: when a connection's grants are known, the namespaces, and the privileged
 * message of §5.2. The types (Privileges, PrivilegeNeed) are the contract's, src/plugin-api/privileges.ts.
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import type { PrivilegeNamespace, PrivilegeNeed, Privileges } from "../plugin-api/privileges.ts";

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

export const NS_PRIVILEGE_1: PrivilegeNamespace = "urn:xmpp:privilege:1";
export const NS_PRIVILEGE_2: PrivilegeNamespace = "urn:xmpp:privilege:2";
/** The newest namespace: used until a server advertises another. */
const NS_PRIVILEGE = NS_PRIVILEGE_2;
const NS_FORWARD = "urn:xmpp:forward:0";
const KNOWN_NAMESPACES: readonly string[] = [NS_PRIVILEGE_1, NS_PRIVILEGE_2];

export const NO_PRIVILEGES: Privileges = Object.freeze({ roster: "none", message: "none", presence: "none" });

export function isPrivilegeNamespace(ns: string | undefined): ns is PrivilegeNamespace {
  return ns !== undefined && KNOWN_NAMESPACES.includes(ns);
}

/**
 * §5.2 (message permission "outgoing"): the component sends a <message> to the server, wrapping
 * the stanza in <privilege><forwarded/></privilege>; the server then sends it as if the user had.
 */
export function wrapPrivilegedMessage(
  message: Element,
  server: string,
  component: string,
  namespace: PrivilegeNamespace = NS_PRIVILEGE,
): Element {
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
