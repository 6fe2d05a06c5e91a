/**
 * A topic's address over XMPP: a chat message an allowed person sends to it is published to the
 * topic (cached, streamed to its subscribers: src/topics/). Whoever `allow:` leaves out gets a
 * stanza error and nothing is published. A correction (XEP-0308) publishes the new text under the
 * first message's sequence id, a retraction (XEP-0424) its deletion, as ntfy's updates do; both
 * only of a message the topic saw from the same sender (writer-sequences.ts). A body that is empty
 * once its reply fallback (XEP-0461, reply-fallback.ts) is left out publishes nothing, unanswered,
 * as chat states do: clients send bodiless and blank messages for their own reasons.
 */
import type { Element } from "ltx";
import type { StanzaErrorSpec, StanzaHandler } from "../../plugin-api/index.ts";
import type { Logger } from "../../plugin-api/log.ts";
import { isError, stanzaError } from "../../kit/stanza-error.ts";
import { parseJid } from "../../kit/jid.ts";
import type { TopicEvent } from "../../topics/types.ts";
import { MESSAGE_LIMIT } from "./publish.ts";
import { bodyWithoutReplyFallback } from "./reply-fallback.ts";
import { newSequence, type OriginOf, ownSequence } from "./writer-sequences.ts";
import type { TopicAddress } from "./writers-schema.ts";

/** RFC 6120 §8.3.3.5: a sender outside the topic's allow: list. */
const TOPIC_FORBIDDEN: StanzaErrorSpec = {
  type: "auth",
  condition: "forbidden",
  text: "You are not allowed to write to this topic",
};
/** RFC 6120 §8.3.3.12: longer than a ntfy message may be (its subscribers read it as one). */
const TOPIC_TOO_LONG: StanzaErrorSpec = {
  type: "modify",
  condition: "not-acceptable",
  text: `A topic's message holds at most ${MESSAGE_LIMIT} bytes`,
};
const NS_CORRECT = "urn:xmpp:message-correct:0";
const NS_RETRACT = "urn:xmpp:message-retract:1";

export interface WriterDeps {
  publish(event: Omit<TopicEvent, "id" | "time" | "expires">): Promise<TopicEvent>;
  /** Sends a stanza error back (never queued: the sender is online now, or it does not matter). */
  reply(stanza: Element): void;
  /** Who wrote the message that started a sequence in the topic's cache (corrections and retractions check it). */
  origin: OriginOf;
  log: Logger;
}

/** The router's handler for one topic's address (row 4, xmpp/router.ts: bots and explicit local parts come first). */
export function topicWriter(topic: string, address: TopicAddress, deps: WriterDeps): StanzaHandler {
  // The cache is asked about sequences (a round trip to the store): messages are still published in the order they came.
  let inOrder: Promise<void> = Promise.resolve();
  return function writeToTopic(stanza) {
    // Presences and iqs go on down the table (nobody: an iq gets service-unavailable).
    if (stanza.name !== "message") return false;
    // RFC 6120 §8.3.1: an error is never answered; groupchat and headline are never answered either (needsAnswer).
    const type = stanza.attrs.type ?? "normal";
    if (isError(stanza) || (type !== "chat" && type !== "normal")) return true;
    inOrder = inOrder
      .then(() => write(topic, address, deps, stanza))
      .catch((err: unknown) => deps.log.warn("a message to a topic was not published", { topic, err: String(err) }));
    return true;
  };
}

async function write(topic: string, address: TopicAddress, deps: WriterDeps, stanza: Element): Promise<void> {
  const sender = bareOf(stanza.attrs.from ?? "");
  const event = await eventOf(topic, sender, stanza, deps.origin);
  // Chat states, receipts, markers, blank bodies, retractions of what this sender never wrote here: nothing to publish, nothing to refuse.
  if (!event) return;
  if (!mayWrite(sender, address.allow)) {
    deps.log.info("a message to a topic from a sender outside its allow: list was refused", { topic, sender });
    return deps.reply(stanzaError(stanza, TOPIC_FORBIDDEN));
  }
  if (Buffer.byteLength(event.message ?? "") > MESSAGE_LIMIT) return deps.reply(stanzaError(stanza, TOPIC_TOO_LONG));
  await deps.publish({ ...event, source: sender });
}

type Written = Omit<TopicEvent, "id" | "time" | "expires" | "source">;

/**
 * The event a message makes: a message, its correction, or its retraction; undefined when it has
 * no text. A correction of a message the topic never saw from this sender is published as a new
 * message (its text is what the person means now: dropping it would lose it), a retraction of one
 * publishes nothing and is not answered (XEP-0424 defines no error; only the original sender retracts).
 */
async function eventOf(topic: string, sender: string, stanza: Element, origin: OriginOf): Promise<Written | undefined> {
  const retract = stanza.getChild("retract", NS_RETRACT)?.attrs.id;
  if (retract !== undefined) {
    const sequence = await ownSequence(origin, topic, sender, retract);
    return sequence ? { event: "message_delete", topic, sequence_id: sequence } : undefined;
  }
  const message = bodyWithoutReplyFallback(stanza);
  if (!message) return undefined;
  const corrected = await ownSequence(origin, topic, sender, stanza.getChild("replace", NS_CORRECT)?.attrs.id);
  const sequence = corrected ?? (await newSequence(origin, topic, sender, stanza.attrs.id));
  return { event: "message", topic, message, ...(sequence ? { sequence_id: sequence } : {}) };
}

function bareOf(from: string): string {
  const jid = parseJid(from);
  if (!jid) return "";
  return (jid.local ? `${jid.local}@${jid.domain}` : jid.domain).toLowerCase();
}

/** A bare JID against `allow:` entries: exact, `*@domain`, `*`. */
export function mayWrite(sender: string, allow: readonly string[]): boolean {
  if (sender === "") return false;
  const domain = sender.slice(sender.indexOf("@") + 1);
  return allow.some((entry) => entry === "*" || entry === sender || entry === `*@${domain}`);
}
