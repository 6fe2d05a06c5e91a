/**
 * An occupant JID of its own (a bot, a topic's reader): it never shares a seat, leaves a room as
 * soon as nothing holds it, and knows no room passwords (it enters only rooms it was given or
 * invited to, XEP-0045 §7.8). One place for these settings, so the two kinds cannot drift apart.
 */
import type { OccupantSettings } from "../plugin-api/rooms.ts";

export function ownOccupant(settings: Pick<OccupantSettings, "from" | "nick" | "timeoutMs" | "log" | "listener">): OccupantSettings {
  return { ...settings, password: () => undefined, lingerMs: 0, maxLingering: 0, exclusive: true };
}
