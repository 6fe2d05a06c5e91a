/**
 * The stanza errors only component_http sends (RFC 6120 §8.3), declared with the plugin
 * (definePlugin `errors`) and added to the catalogue when it registers. The webhook's own
 * failing statuses map through the catalogue's table, stanzaErrorForStatus.
 */
import type { StanzaErrorSpec } from "../../src/plugin-api/index.ts";

export const WEBHOOK_ERRORS = {
  /** mod_component_http's entry for status 0: the webhook could not be reached. */
  WEBHOOK_UNREACHABLE: { type: "cancel", condition: "remote-server-timeout", text: "Connection failure" },
  /** Beyond the module: the webhook took longer than timeout_ms. */
  WEBHOOK_TIMEOUT: { type: "wait", condition: "remote-server-timeout", text: "Webhook timed out" },
  /** max_concurrent calls in flight and max_queued waiting (§8.3.3.18). */
  WEBHOOK_QUEUE_FULL: { type: "wait", condition: "resource-constraint", text: "Too many webhook calls pending" },
  /** Where the module's callback would crash: a 200 JSON answer that is not an object. */
  WEBHOOK_MALFORMED: { type: "cancel", condition: "internal-server-error", text: "The webhook answered malformed JSON" },
  /** Where the module sent nothing: a 200 JSON answer that cannot be sent. */
  WEBHOOK_UNUSABLE: { type: "cancel", condition: "internal-server-error", text: "Unusable answer from the webhook" },
} as const satisfies Record<string, StanzaErrorSpec>;
