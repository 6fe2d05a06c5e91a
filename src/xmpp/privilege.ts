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
import type { Element } from "ltx";
import { KNOWN_NAMESPACES, NS_PRIVILEGE_1, NS_PRIVILEGE_2, isPrivilegeNamespace, type Privileges } from "../plugin-api/privileges.ts";

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

