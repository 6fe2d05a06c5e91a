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
 * advertised, as each server accepts only its own. The helpers (onGrants, wrapPrivilegedMessage,
 * the namespaces) are in the kit, src/kit/privileges.ts.
 */

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

/** The XEP-0356 namespaces: 0.2 (ejabberd up to 24.07) and 0.3 and later. */
export type PrivilegeNamespace = "urn:xmpp:privilege:1" | "urn:xmpp:privilege:2";

export interface Privileges {
  roster: "none" | "get" | "set" | "both";
  message: "none" | "outgoing";
  presence: "none" | "managed_entity" | "roster";
  /** The namespace of the advertisement these came from; absent while nothing was advertised. */
  namespace?: PrivilegeNamespace;
}
