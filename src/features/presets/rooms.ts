/**
 * Room entries in a preset's `to:` (`to: [{ room: ops@conference.example.org, nick: CI }]`). A preset
 * is a declarative route, whose groupchat enters the room (routes' `nick` and `rooms` passwords):
 * its one message line becomes a groupchat where the recipient is one of the rooms.
 */
import type { PathSegments } from "../../config/diagnostics.ts";
import type { RouteRoomEntries } from "../../config/route-recipients.ts";
import type { RouteChecks } from "../../feature-api.ts";

/** The message line every preset loops its recipients over (the tests hold each preset to it). */
const MESSAGE_LINE = '<message to="{{ to }}" type="chat">';
const GROUPCHAT_LINE = '<message to="{{ to }}" type="{% if groupchat_rooms contains to %}groupchat{% else %}chat{% endif %}">';

/** The keys the route gets for its rooms (`send`, `nick`, `rooms`), or undefined after a diagnostic. */
export function presetRooms(
  send: string,
  rooms: RouteRoomEntries,
  at: PathSegments,
  c: RouteChecks,
): { send: string; nick?: string; rooms?: Record<string, string> } | undefined {
  const jids = Object.keys(rooms);
  if (jids.length === 0) return { send };
  const nicks = new Set(Object.values(rooms).map((r) => r.nick));
  if (nicks.size > 1) {
    // A declarative route enters all its rooms with one nick (routes' `nick:`).
    c.diagnostics.push(c.locate.at([...at, "to"], "a preset's rooms share one nick: give each room entry the same nick (or none)"));
    return undefined;
  }
  if (!send.includes(MESSAGE_LINE)) throw new Error(`the preset's template has no ${MESSAGE_LINE} line`);
  const passwords = Object.entries(rooms).flatMap(([room, r]) => (r.password === undefined ? [] : [[room, r.password] as const]));
  const [nick] = nicks;
  return {
    send: `{%- assign groupchat_rooms = "${jids.join(" ")}" | split: " " -%}\n${send.replaceAll(MESSAGE_LINE, GROUPCHAT_LINE)}`,
    ...(nick === undefined ? {} : { nick }),
    ...(passwords.length ? { rooms: Object.fromEntries(passwords) } : {}),
  };
}
