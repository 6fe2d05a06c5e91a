/**
 * `to:` of the routes that deliver notifications (the sender formats): one recipient or a list,
 * each a JID (a chat message) or a room entry `{ room, nick?, password? }`: the gateway enters the
 * room (XEP-0045 §7.2) and posts a groupchat message, as a declarative route's groupchat does.
 */
import { Type } from "@sinclair/typebox";
import { isJid } from "../kit/jid.ts";
import type { PathSegments } from "./diagnostics.ts";
import type { RouteChecks } from "./feature-shape.ts";

/** How the gateway enters one room: the nick it asks for and the room's password (§7.2.6). */
interface RoomEntry {
  readonly nick?: string;
  readonly password?: string;
}

/** A route's rooms by bare JID (lowercased): every room any of its recipient lists names. */
export type RouteRoomEntries = Record<string, RoomEntry>;

const RoomEntrySchema = Type.Object(
  {
    room: Type.String({ minLength: 1, description: "The room's bare JID (`ops@conference.example.org`)." }),
    nick: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: "The nick the gateway enters with (XEP-0045 §7.2). Default `Stanzagate`." }),
    ),
    password: Type.Optional(Type.String({ description: "The room's password (XEP-0045 §7.2.6)." })),
  },
  { additionalProperties: false, description: "A room: the gateway enters it and posts groupchat messages there." },
);

const Recipient = Type.Union([Type.String({ minLength: 1 }), RoomEntrySchema]);

/** The schema of a recipient list, described for where it is (ntfy's `topics` values have none of their own). */
export const recipientsSchema = (description?: string) =>
  Type.Union([Type.String({ minLength: 1 }), RoomEntrySchema, Type.Array(Recipient, { minItems: 1 })], description ? { description } : {});

/** The schema of `to:`, the same for every format. */
export const RecipientsSchema = recipientsSchema(
  "Who gets the messages: one JID, a room entry `{ room: JID, nick?, password? }` (the gateway enters the room and posts groupchat messages), or a list of them.",
);

/**
 * The route's `to:` as JIDs (a room as its bare JID), or undefined after saying which entry is wrong
 * (a missing `to` is the schema's diagnostic). Room entries go into `rooms`, shared by the route's lists.
 */
export function checkRecipients(raw: unknown, at: PathSegments, c: RouteChecks, rooms: RouteRoomEntries = {}): string[] | undefined {
  return checkRecipientList(raw, [...at, "to"], c, rooms);
}

/** `checkRecipients` for a list at `at` itself (ntfy's `topics.<name>`). */
export function checkRecipientList(raw: unknown, at: PathSegments, c: RouteChecks, rooms: RouteRoomEntries): string[] | undefined {
  const list: unknown[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const jids: string[] = [];
  for (const [i, entry] of list.entries()) {
    const where = Array.isArray(raw) ? [...at, i] : at;
    const jid = recipient(entry, where, c, rooms);
    if (jid === undefined) return undefined;
    jids.push(jid);
  }
  return jids.length ? jids : undefined;
}

/** One entry: a JID, or a room entry (remembered in `rooms`); undefined after a diagnostic. */
function recipient(entry: unknown, at: PathSegments, c: RouteChecks, rooms: RouteRoomEntries): string | undefined {
  if (typeof entry === "string") {
    if (isJid(entry)) {
      warnLooksLikeRoom(entry, at, c);
      return entry;
    }
    c.diagnostics.push(c.locate.at(at, `${JSON.stringify(entry)} is not a JID`));
    return undefined;
  }
  // Neither a string nor an entry: the schema said so, in the alternatives' words.
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return undefined;
  const { room, nick, password, ...unknown } = entry as Record<string, unknown>;
  // The schema's union says only "expected …, found {…}": the key is named here.
  for (const key of Object.keys(unknown))
    c.diagnostics.push(c.locate.at([...at, key], `unknown key in a room entry (it takes room, nick, password)`, { key: true }));
  // §7.4: a groupchat goes to the room itself; a full JID is one occupant (a private message).
  if (typeof room !== "string" || !isJid(room) || room.includes("/")) {
    c.diagnostics.push(c.locate.at([...at, "room"], `${JSON.stringify(room)} is not a room's bare JID (room@conference.example.org)`));
    return undefined;
  }
  const jid = room.toLowerCase();
  const settings = { ...(typeof nick === "string" ? { nick } : {}), ...(typeof password === "string" ? { password } : {}) };
  const known = rooms[jid];
  if (known && (known.nick !== settings.nick || known.password !== settings.password)) {
    c.diagnostics.push(c.locate.at(at, `room ${jid} is listed twice with a different nick or password: the gateway has one seat there`));
    return undefined;
  }
  rooms[jid] = settings;
  return jid;
}

/** A room's JID as a plain string is a chat message to the room, which it refuses (§7.4): likely a mistake. */
function warnLooksLikeRoom(jid: string, at: PathSegments, c: RouteChecks): void {
  if (!/^[^@/]+@(conference|muc|rooms?)\./i.test(jid)) return;
  c.warnings.push({
    ...c.locate.at(at, `${jid} looks like a room: a string gets a chat message; write { room: ${jid} } to post in the room`),
    severity: "warning",
  });
}
