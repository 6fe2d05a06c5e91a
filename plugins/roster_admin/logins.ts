/**
 * Logins, seen through XEP-0356 "Presence Permission" ("managed_entity"): the server forwards
 * every available and unavailable presence its users broadcast to the component. A user whose
 * first resource comes online is "logging in", the moment the original module fetched the roster
 * (once per user: its roster was shared by the user's sessions).
 */
import { parseJid } from "../../src/kit/jid.ts";
import type { Element } from "../../src/plugin-api/index.ts";

export interface LoginWatcher {
  /** Takes a forwarded presence of one of `host`'s users; returns whether it did. */
  take(stanza: Element): boolean;
  /** Forget who is online (the link dropped; the server re-sends current presences on reconnect). */
  reset(): void;
}

export function createLoginWatcher(host: string, component: string, onLogin: (username: string) => void): LoginWatcher {
  const online = new Map<string, Set<string>>();
  return {
    take(stanza) {
      // Forwarded presence is addressed to the component's domain itself (XEP-0356 §7).
      if (stanza.name !== "presence" || stanza.attrs.to?.toLowerCase() !== component) return false;
      const type = stanza.attrs.type;
      if (type !== undefined && type !== "unavailable") return false;
      const from = parseJid(stanza.attrs.from ?? "");
      if (!from || from.domain !== host || !from.local || !from.resource) return false;
      const username = from.local.toLowerCase();
      const resources = online.get(username) ?? new Set<string>();
      if (type === "unavailable") {
        resources.delete(from.resource);
        if (resources.size === 0) online.delete(username);
        return true;
      }
      const first = resources.size === 0;
      resources.add(from.resource);
      online.set(username, resources);
      if (first) onLogin(username);
      return true;
    },
    reset() {
      online.clear();
    },
  };
}
