/**
 * What the webhook's answer means for the XMPP sender, as in mod_component_http: a 200
 * application/json answer is a reply, any other 2xx means "no reply", anything else is an error
 * reply from the module's status table (src/errors.ts, stanzaErrorForStatus).
 */
import { STANZA_ERRORS, isRecord, stanzaErrorForStatus, type Element, type StanzaErrorSpec } from "../../src/plugin-api.ts";
import { buildReply, type Addressing } from "./reply.ts";
import type { WebhookResult } from "./webhook.ts";

export type Action =
  | { kind: "none" }
  | { kind: "send"; stanza: Element }
  | { kind: "error"; error: StanzaErrorSpec; why: string }
  | { kind: "refuse"; why: string };

export function interpret(result: WebhookResult, request: Element, addressing: Addressing): Action {
  switch (result.kind) {
    case "stopped":
      return { kind: "none" };
    case "timeout":
      return { kind: "error", error: STANZA_ERRORS.WEBHOOK_TIMEOUT, why: "the webhook did not answer in time" };
    case "unreachable":
      return { kind: "error", error: STANZA_ERRORS.WEBHOOK_UNREACHABLE, why: `the webhook could not be reached: ${result.reason}` };
    case "answered":
      if (result.status === 200 && isJson(result.contentType)) return fromJson(result.text, request, addressing);
      if (result.status >= 200 && result.status <= 299) return { kind: "none" };
      return { kind: "error", error: stanzaErrorForStatus(result.status), why: `the webhook answered HTTP ${result.status}` };
  }
}

/**
 * The module compares the header with "application/json" exactly, so `application/json;
 * charset=utf-8` (what most frameworks send) silently meant "no reply"; parameters are accepted here.
 */
function isJson(contentType: string | null): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

function fromJson(text: string | undefined, request: Element, addressing: Addressing): Action {
  const data = parseObject(text);
  if (data === undefined) return { kind: "error", error: STANZA_ERRORS.WEBHOOK_MALFORMED, why: "the webhook's 200 answer is not a JSON object" };
  const built = buildReply(data, request, addressing);
  return built.ok ? { kind: "send", stanza: built.stanza } : { kind: "refuse", why: `unusable answer: ${built.reason}` };
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const data: unknown = JSON.parse(text);
    return isRecord(data) ? data : undefined;
  } catch {
    return undefined;
  }
}
