/**
 * A stanza id as a ntfy sequence id, scoped to its sender. ntfy clients treat two messages with
 * one sequence_id as one message updated, and XMPP ids are chosen by each sender's client, so
 * two senders may well use the same one. An id becomes the sequence id as it is while the topic's
 * cache holds no message of it from someone else; otherwise a gateway-made one (a hash of sender
 * and id, so the sender's later correction finds it again). A correction (XEP-0308) or a
 * retraction (XEP-0424) then only reaches a message the topic saw from that same sender.
 */
import { createHash } from "node:crypto";
import { NAME } from "./publish.ts";

/** Who wrote the message that started a sequence in a topic's cache, if it is still there. */
export type OriginOf = (topic: string, sequence: string) => string | undefined;

/** The sequence a new message with stanza id `id` starts (undefined: ntfy's own, the event's id). */
export function newSequence(origin: OriginOf, topic: string, sender: string, id: unknown): string | undefined {
  if (typeof id !== "string" || !NAME.test(id)) return undefined;
  const owner = origin(topic, id);
  return owner === undefined || owner === sender ? id : scoped(sender, id);
}

/** The sequence of the sender's earlier message `id` in this topic, or undefined when the topic never saw it from them. */
export function ownSequence(origin: OriginOf, topic: string, sender: string, id: unknown): string | undefined {
  if (typeof id !== "string" || id === "") return undefined;
  return [id, scoped(sender, id)].find((sequence) => NAME.test(sequence) && origin(topic, sequence) === sender);
}

/** 22 base64url characters (132 bits): within ntfy's sequence id pattern, never one a sender guesses. */
function scoped(sender: string, id: string): string {
  return createHash("sha256").update(`${sender}\n${id}`).digest("base64url").slice(0, 22);
}
