/**
 * What a room's refusal of the gateway means to whoever asked: an HTTP error for a route's caller
 * (`told`), or the reason a queued groupchat is kept in the dead letters (`deadLetterReason`).
 */
import { GatewayError, IqTimeoutError, XmppStanzaError, httpStatusOfStanzaError } from "../plugin-api/errors.ts";

/** §7.2 refusals, told as an HTTP caller can act on them. */
const REASONS: Readonly<Record<string, string>> = {
  "registration-required": "the room is members-only and the gateway is not a member (§7.2.5)",
  forbidden: "the gateway is banned from the room, or may not speak there (§7.2.7, §7.4)",
  // §10.1.2: a room created but not yet configured is locked, and refuses entry the same way.
  "item-not-found": "the room does not exist or is locked (§7.2.1, §10.1.2)",
  gone: "the room does not exist any more",
  conflict: "the nick is taken, also with a suffix (§7.2.9)",
  "not-authorized": "the room needs a password, and routes.yaml has none or a wrong one (§7.2.6)",
  "not-allowed": "the room does not let the gateway in (§7.2.1: no room creation)",
  "service-unavailable": "the room is full (§7.2.10)",
  "not-acceptable": "the room did not take the message: the gateway is no occupant (§7.4)",
};

export function told(err: unknown, room: string): unknown {
  if (err instanceof XmppStanzaError) {
    const reason = REASONS[err.condition] ?? "the room refused";
    const status = httpStatusOfStanzaError(err.condition);
    return new GatewayError("ROOM_REFUSED", `The room ${room} refused: ${reason}`, {
      status,
      details: { room, condition: err.condition, ...(err.text ? { text: err.text } : {}) },
    });
  }
  if (err instanceof IqTimeoutError)
    return new GatewayError("XMPP_TIMEOUT", `The room ${room} did not answer in time`, { details: { room } });
  return err;
}

/**
 * A refusal that may pass (RFC 6120 §8.3.2: type "wait", retry later) or no answer in time: a
 * queued message is tried again (xmpp/delivery.ts counts the attempts) rather than given up.
 */
export function mayPass(err: unknown): boolean {
  return err instanceof IqTimeoutError || (err instanceof XmppStanzaError && err.type === "wait");
}

/**
 * Why a queued groupchat cannot reach `room`, as the dead letters keep it: the code, the room's
 * condition and the sentence (`ROOM_REFUSED registration-required: The room ... refused: ...`).
 * Undefined when the join failed for a reason of ours that passes (the link dropped): the row
 * stays in the outbox and is tried again.
 */
export function deadLetterReason(err: unknown, room: string): string | undefined {
  const e = told(err, room);
  if (!(e instanceof GatewayError) || e.code === "LINK_DOWN") return undefined;
  const condition = typeof e.details.condition === "string" ? ` ${e.details.condition}` : "";
  return `${e.code}${condition}: ${e.message}`;
}
