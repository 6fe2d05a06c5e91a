/**
 * What a bot reads in rooms, as pure functions: whether a room message is addressed to it, and
 * invitations (XEP-0045 §7.8.2 mediated, XEP-0249 direct), and the decline it sends (§7.8.2).
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { parseJid } from "../../kit/jid.ts";

export const NS_MUC_USER = "http://jabber.org/protocol/muc#user";
/** XEP-0249 §2. */
const NS_CONFERENCE = "jabber:x:conference";
/** XEP-0203: a message delivered late (room history). */
export const NS_DELAY = "urn:xmpp:delay";

/**
 * The command text when `body` addresses `nick` the way Gajim and Conversations write it: the
 * nick (any case), then ":" or ",", then the text, trimmed. Undefined when it is not addressed.
 * Compared under NFKC: Prosody's resourceprep (RFC 3920 Appendix B) gives the bot its nick
 * normalised (e + U+0308 becomes ë), while people type it the way their keyboard makes it.
 */
export function addressedTo(body: string, nick: string): string | undefined {
  const start = body.trimStart();
  const wanted = fold(nick);
  if (wanted === "") return undefined;
  // A nick may hold ":" or "," itself: every mark within reach of its length is a candidate.
  const reach = Math.min(start.length - 1, nick.length * 4 + 8);
  for (let i = 1; i <= reach; i++) {
    if ((start[i] === ":" || start[i] === ",") && fold(start.slice(0, i)) === wanted) return start.slice(i + 1).trim();
  }
  return undefined;
}

function fold(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

export interface Invitation {
  via: "mediated" | "direct";
  /** The room's bare JID, lower-cased. */
  room: string;
  /** The inviter's bare JID, lower-cased. */
  inviter: string;
  password: string | undefined;
}

/**
 * An invitation in `stanza`: `{ invitation }`, `{ problem }` when it is one but unusable (a bad
 * room JID, no inviter), or undefined when the message is no invitation.
 */
export function readInvitation(stanza: Element): { invitation: Invitation } | { problem: string } | undefined {
  if (stanza.name !== "message" || stanza.attrs.type === "error" || stanza.attrs.type === "groupchat") return undefined;
  const invite = stanza.getChild("x", NS_MUC_USER)?.getChild("invite");
  if (invite) {
    // §7.8.2: the room sends it, naming who invited.
    const room = bareRoom(stanza.attrs.from);
    const inviter = bareUser(invite.attrs.from);
    if (!room || !inviter)
      return { problem: `a mediated invitation with a bad room (${String(stanza.attrs.from)}) or inviter (${String(invite.attrs.from)})` };
    return {
      invitation: { via: "mediated", room, inviter, password: stanza.getChild("x", NS_MUC_USER)?.getChildText("password") ?? undefined },
    };
  }
  const direct = stanza.getChild("x", NS_CONFERENCE);
  if (!direct) return undefined;
  // XEP-0249 §2: the inviter sends it from its own JID, which its server vouches for.
  const room = bareRoom(direct.attrs.jid);
  const inviter = bareUser(stanza.attrs.from);
  if (!room || !inviter) return { problem: `a direct invitation with a bad room JID (${JSON.stringify(direct.attrs.jid ?? null)})` };
  return {
    invitation: { via: "direct", room, inviter, password: typeof direct.attrs.password === "string" ? direct.attrs.password : undefined },
  };
}

/**
 * Whether a mediated invitation's inviter can be believed: the room names the inviter, so only a
 * room service of the inviter's own domain (muc.example.org for alice@example.org) is trusted
 * with that; anybody's room service could claim anybody otherwise.
 */
export function vouchedFor(invitation: Invitation): boolean {
  if (invitation.via === "direct") return true;
  const roomDomain = invitation.room.slice(invitation.room.indexOf("@") + 1);
  const userDomain = invitation.inviter.slice(invitation.inviter.indexOf("@") + 1);
  return roomDomain === userDomain || roomDomain.endsWith(`.${userDomain}`);
}

/** §7.8.2: the decline, sent to the room, which passes it to the inviter. */
export function declineInvitation(invitation: Invitation, from: string, reason: string): Element {
  return xml(
    "message",
    { to: invitation.room, from, id: `bot-${crypto.randomUUID()}` },
    xml("x", { xmlns: NS_MUC_USER }, xml("decline", { to: invitation.inviter }, xml("reason", {}, reason))),
  );
}

function bareRoom(value: unknown): string | undefined {
  const jid = typeof value === "string" ? parseJid(value) : undefined;
  return jid && jid.local !== "" && jid.resource === "" ? `${jid.local}@${jid.domain}`.toLowerCase() : undefined;
}

function bareUser(value: unknown): string | undefined {
  const jid = typeof value === "string" ? parseJid(value) : undefined;
  return jid && jid.local !== "" ? `${jid.local}@${jid.domain}`.toLowerCase() : undefined;
}
