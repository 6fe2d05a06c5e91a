/**
 * How a failed webhook call is told to the XMPP sender: mod_component_http's table from HTTP
 * status to stanza error (RFC 6120 §8.3.2 type, §8.3.3 condition, optional text), plus the
 * failures only Stanzagate has (timeout, full queue, unusable answer).
 */
import type { StanzaErrorType } from "../../src/plugin-api.ts";

export interface StanzaErrorSpec {
  type: StanzaErrorType;
  condition: string;
  text?: string;
}

const spec = (type: StanzaErrorType, condition: string, text?: string): StanzaErrorSpec =>
  text === undefined ? { type, condition } : { type, condition, text };

/** The module's http_error_map, status for status, text for text. */
const BY_STATUS: ReadonlyMap<number, StanzaErrorSpec> = new Map([
  [400, spec("modify", "bad-request")],
  [401, spec("auth", "not-authorized")],
  [402, spec("auth", "forbidden", "Payment required")],
  [403, spec("auth", "forbidden")],
  [404, spec("cancel", "item-not-found")],
  [410, spec("cancel", "gone")],
  [500, spec("cancel", "internal-server-error")],
  [501, spec("cancel", "feature-not-implemented")],
  [502, spec("cancel", "remote-server-timeout", "Bad gateway")],
  [503, spec("wait", "remote-server-timeout", "Service temporarily unavailable")],
  [504, spec("wait", "remote-server-timeout", "Gateway timeout")],
]);

/** Any status not in the table (3xx included: redirects are not followed, as in Prosody). */
const OTHER_STATUS = spec("cancel", "service-unavailable");

/** The module's entry for status 0: the webhook could not be reached at all. */
export const CONNECTION_FAILURE = spec("cancel", "remote-server-timeout", "Connection failure");

/** Beyond the module: the webhook took longer than timeout_ms. */
export const WEBHOOK_TIMEOUT = spec("wait", "remote-server-timeout", "Webhook timed out");

/** Beyond the module: max_concurrent calls in flight and max_queued waiting (RFC 6120 §8.3.3.18). */
export const QUEUE_FULL = spec("wait", "resource-constraint", "Too many webhook calls pending");

/** Beyond the module (where its callback would crash): a 200 JSON answer that is not a JSON object. */
export const MALFORMED_ANSWER = spec("cancel", "internal-server-error", "The webhook answered malformed JSON");

/**
 * Beyond the module (which sent nothing): a 200 JSON answer that cannot be sent (a field of the
 * wrong type, a bad `stanza`, a `from` outside the component's domain). Sent only where the
 * sender waits for an answer: an iq get/set (RFC 6120 §8.2.3), a chat or normal message.
 */
export const UNUSABLE_ANSWER = spec("cancel", "internal-server-error", "Unusable answer from the webhook");

export function errorForStatus(status: number): StanzaErrorSpec {
  return BY_STATUS.get(status) ?? OTHER_STATUS;
}
