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
export type OriginOf = (topic: string, sequence: string) => Promise<string | undefined>;

/** The sequence a new message with stanza id `id` starts (undefined: ntfy's own, the event's id). */
export async function newSequence(origin: OriginOf, topic: string, sender: string, id: unknown): Promise<string | undefined> {
  if (typeof id !== "string" || !NAME.test(id)) return undefined;
  const owner = await origin(topic, id);
  return owner === undefined || owner === sender ? id : scoped(sender, id);
}

/** The sequence of the sender's earlier message `id` in this topic, or undefined when the topic never saw it from them. */
export async function ownSequence(origin: OriginOf, topic: string, sender: string, id: unknown): Promise<string | undefined> {
  if (typeof id !== "string" || id === "") return undefined;
  for (const sequence of [id, scoped(sender, id)]) if (NAME.test(sequence) && (await origin(topic, sequence)) === sender) return sequence;
  return undefined;
}

/** 22 base64url characters (132 bits): within ntfy's sequence id pattern, never one a sender guesses. */
function scoped(sender: string, id: string): string {
  return createHash("sha256").update(`${sender}\n${id}`).digest("base64url").slice(0, 22);
}
