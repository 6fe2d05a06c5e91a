/**
 * XEP-0356 grants as plugins see them. The server advertises them right after the handshake
 * (§4); a server that grants nothing sends nothing, so the link calls them "settled" once the
 * advertisement came or its grace passed (src/xmpp/link.ts ADVERTISEMENT_GRACE_MS, the one
 * constant). A plugin declares what it needs (PluginDefinition `privileges`); the host then waits
 * for the grants and warns once per connection when one is missing, with the plugin's reason.
 */
import type { Privileges } from "../xmpp/privilege.ts";

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
