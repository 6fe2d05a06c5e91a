/**
 * A notification to its recipients, one chat message each (a groupchat message to a room among
 * them, notify/rooms.ts), delivered (sent, or queued in the outbox when the link is down: never
 * lost). A message may correct an earlier one (XEP-0308) or withdraw it (XEP-0424): formats that
 * update or delete what they sent (ntfy's sequence_id, Discord's PATCH and DELETE, Gotify's
 * DELETE) remember the ids this returns (store/threads.ts), after a correction merged with what
 * they remembered before (attachments.ts `rememberedAfter`).
 */
import type { Element } from "ltx";
import { xml } from "../kit/xml.ts";
import { guardStanza } from "../xmpp/stanza-guard.ts";
import type { Notification } from "./notification.ts";
import { GatewayError } from "../plugin-api/errors.ts";
import { hasText, notificationText } from "./render.ts";
import type { Attachment } from "../files/types.ts";
import { attachmentContent, readRemembered, writeRemembered, type RememberedMessages } from "./attachments.ts";
import type { GroupchatPort } from "./rooms.ts";

export interface NotifyPorts {
  /** The component's domain: the messages come from it. */
  component: string;
  /** xmpp.max_stanza_bytes: every message is checked against it before the first is delivered. */
  maxStanzaBytes: number;
  deliver(stanza: Element): Promise<"sent" | "queued">;
  /** Room in the outbox for every message before the first is delivered (GatewayPorts.reserve); absent where nothing is queued (render). */
  reserve?(stanzas: readonly Element[]): () => void;
  newId(): string;
  /** The route's rooms, when its recipients name any. */
  groupchat?: GroupchatPort | undefined;
}

/** What became of one notification: queued when any of its messages was. */
export interface Notified {
  outcome: "sent" | "queued";
  /**
   * The id of the message each recipient got, by JID. In a room, `<ours> <the room's stanza-id>`
   * when the room assigned one (`roomIds`): a correction names ours, a retraction the room's.
   * The text message's first; a notification's files add their messages' after commas
   * (attachments.ts), so that correcting or withdrawing it reaches them too.
   */
  ids: Record<string, string>;
}

/** XEP-0424 §4: what a client without retraction shows instead. */
const RETRACTED = "This message was withdrawn by its sender.";

export async function sendNotification(
  n: Notification,
  to: readonly string[],
  ports: NotifyPorts,
  /** The message each recipient got first, when this one corrects it (XEP-0308 §4: always the first). */
  replaces?: Readonly<Record<string, string>>,
): Promise<Notified> {
  const attachments = n.attachments ?? [];
  // One check for every format, on what a client would show: the format answers it as its own "no text".
  const text = hasText(n) ? notificationText(n) : undefined;
  if (text === undefined && attachments.length === 0) throw new GatewayError("NO_TEXT");
  return deliverAll(
    to.flatMap((jid) => planned(jid, text, attachments, ports, readRemembered(replaces?.[jid]))),
    ports,
  );
}

/**
 * One recipient's messages: the text, then one per attachment (attachments.ts). A correction
 * (XEP-0308 §4) replaces each earlier message by its place (text by text, the n-th file by the
 * n-th) and withdraws those it has nothing for; what the earlier one lacked is sent new.
 */
function planned(
  jid: string,
  text: string | undefined,
  attachments: readonly Attachment[],
  ports: NotifyPorts,
  before: RememberedMessages,
): Planned[] {
  const corrected = (first: string | undefined, slot: number, body: string, extra: Element[]): Planned => {
    const id = ports.newId();
    // XEP-0308 §4: the id the original was sent with (§5: in a room, from the same occupant, as here).
    const replace = first ? [xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: roomIds(first).ours })] : [];
    return { jid, id, slot, stanza: message(jid, id, ports, body, [...extra, ...replace]) };
  };
  const out: Planned[] = [];
  if (text !== undefined) out.push(corrected(before.text, 0, text, []));
  else if (before.text) out.push(retraction(jid, before.text, ports));
  attachments.forEach((a, i) => {
    const { body, extra } = attachmentContent(a);
    out.push(corrected(before.files[i], i + 1, body, extra));
  });
  for (const gone of before.files.slice(attachments.length)) out.push(retraction(jid, gone, ports));
  return out;
}

/** A message and where its id is remembered: 0 the text, n the n-th attachment, undefined not at all (a retraction). */
interface Planned {
  jid: string;
  id: string;
  slot?: number | undefined;
  stanza: Element;
}

/** Withdraws the messages `ids` names (XEP-0424), each with a fallback body for older clients: a notification's files too. */
export async function retractNotification(ids: Readonly<Record<string, string>>, ports: NotifyPorts): Promise<Notified> {
  const stanzas = Object.entries(ids).flatMap(([jid, remembered]) => {
    const { text, files } = readRemembered(remembered);
    return [text, ...files].flatMap((original, i) =>
      original ? [{ ...retraction(jid, original, ports), slot: i === 0 ? 0 : undefined }] : [],
    );
  });
  return deliverAll(stanzas, ports);
}

function retraction(jid: string, original: string, ports: NotifyPorts): Planned {
  const id = ports.newId();
  const { ours, room } = roomIds(original);
  const payload = [
    // XEP-0424 0.4: in a group chat the stanza-id the room assigned (XEP-0359), else the origin-id we sent.
    xml("retract", { xmlns: "urn:xmpp:message-retract:1", id: room ?? ours }),
    xml("fallback", { xmlns: "urn:xmpp:fallback:0", for: "urn:xmpp:message-retract:1" }),
    xml("store", { xmlns: "urn:xmpp:hints" }),
  ];
  return { jid, id, stanza: message(jid, id, ports, RETRACTED, payload) };
}

/** origin-id (XEP-0359) carries the id the recipient's archive keeps, which a retraction names. */
function message(to: string, id: string, ports: NotifyPorts, body: string, extra: Element[]): Element {
  const type = ports.groupchat?.isRoom(to) ? "groupchat" : "chat";
  return xml(
    "message",
    { to, from: ports.component, id, type },
    xml("body", {}, body),
    xml("origin-id", { xmlns: "urn:xmpp:sid:0", id }),
    ...extra,
  );
}

/** A remembered id: ours, and the room's stanza-id after a space when a room assigned one. */
function roomIds(remembered: string): { ours: string; room?: string } {
  const [ours = remembered, room] = remembered.split(" ", 2);
  return room ? { ours, room } : { ours };
}

/** The stanza-id (XEP-0359 §4) the room put on its echo, `by` the room itself. */
function stanzaIdOf(echo: Element | undefined, room: string): string | undefined {
  const sid = echo?.getChildren("stanza-id", "urn:xmpp:sid:0").find((e) => e.attrs.by?.toLowerCase() === room.toLowerCase());
  const id = sid?.attrs.id;
  // A space or a comma would split what is remembered of the message (attachments.ts).
  return typeof id === "string" && id && !/[ ,]/.test(id) ? id : undefined;
}

/**
 * Every message is checked (xmpp/stanza-guard.ts: the server's limit, what XML can carry) and
 * room in the outbox set aside for all of them before any is delivered: a message too large for
 * one recipient's longer address, or an outbox without room for every message, refuses the
 * request, never after the others were sent (a sender retrying would send them twice).
 */
async function deliverAll(stanzas: Planned[], ports: NotifyPorts): Promise<Notified> {
  for (const { stanza } of stanzas) guardStanza(stanza, ports.maxStanzaBytes);
  const release = ports.reserve?.(stanzas.map((s) => s.stanza));
  try {
    return await deliverEach(stanzas, ports);
  } finally {
    release?.();
  }
}

async function deliverEach(stanzas: Planned[], ports: NotifyPorts): Promise<Notified> {
  const rooms = ports.groupchat;
  // A room that refuses the gateway refuses the request before anyone got a message.
  if (rooms) for (const { jid } of stanzas) if (rooms.isRoom(jid)) await rooms.enter(jid);
  let outcome: Notified["outcome"] = "sent";
  const kept = new Map<string, RememberedMessages>();
  for (const { jid, id, slot, stanza } of stanzas) {
    let remembered = id;
    if (rooms?.isRoom(jid)) {
      const posted = await rooms.post(stanza);
      const sid = stanzaIdOf(posted.echo, jid);
      if (posted.outcome === "queued") outcome = "queued";
      remembered = sid ? `${id} ${sid}` : id;
    } else if ((await ports.deliver(stanza)) === "queued") outcome = "queued";
    const messages = kept.get(jid) ?? { text: undefined, files: [] };
    if (slot === 0) messages.text = remembered;
    else if (slot !== undefined) messages.files[slot - 1] = remembered;
    kept.set(jid, messages);
  }
  return { outcome, ids: Object.fromEntries([...kept].map(([jid, m]) => [jid, writeRemembered(m)])) };
}
