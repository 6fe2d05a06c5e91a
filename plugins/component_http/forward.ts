/**
 * One forwarded stanza from start to end: POST it (through the concurrency bound), read the
 * answer, send the reply or the error. Never throws: every failure ends as a log line.
 */
import { type Element, type Logger, stanzaErrorForStatus, type StanzaErrorSpec } from "../../src/plugin-api/index.ts";
import { isError, needsAnswer, stanzaError } from "../../src/kit/stanza-error.ts";
import { isRecord } from "../../src/kit/bounded.ts";
import type { Limiter } from "../../src/kit/limiter.ts";
import { parseJid } from "../../src/kit/jid.ts";
import { WEBHOOK_ERRORS } from "./errors.ts";
import { buildReply, type Addressing } from "./reply.ts";
import { postToWebhook, stanzaPayload, type WebhookResult, type WebhookTarget } from "./webhook.ts";

export interface ForwardDeps {
  target: WebhookTarget;
  limiter: Limiter;
  addressing: Addressing;
  /** The component's domain: replies must come from it or one of its JIDs. */
  component: string;
  send(stanza: Element): Promise<void>;
  log: Logger;
  /** Each webhook call's outcome (answered_2xx, timeout, unreachable, queue_full...) and duration: metrics. */
  observe?(outcome: string, seconds: number): void;
  /** A reply refused, by reason (outside_domain, loop, unusable): metrics. */
  refused?(reason: RefusalReason): void;
}

type RefusalReason = "outside_domain" | "loop" | "unusable";

export async function forward(deps: ForwardDeps, stanza: Element): Promise<void> {
  const body = JSON.stringify(stanzaPayload(stanza));
  const call = deps.limiter.run(() => timedPost(deps, body));
  if (!call) deps.observe?.("queue_full", 0);
  const action: Action = call
    ? interpret(await call, stanza, deps.addressing)
    : { kind: "error", error: WEBHOOK_ERRORS.WEBHOOK_QUEUE_FULL, why: "too many webhook calls pending" };
  await act(deps, stanza, action);
}

/** The call itself, timed from when the limiter lets it go (queueing is not the webhook's latency). */
async function timedPost(deps: ForwardDeps, body: string): Promise<WebhookResult> {
  const started = performance.now();
  const result = await postToWebhook(deps.target, body);
  const outcome = result.kind === "answered" ? `answered_${Math.floor(result.status / 100)}xx` : result.kind;
  deps.observe?.(outcome, (performance.now() - started) / 1000);
  return result;
}

async function act(deps: ForwardDeps, request: Element, action: Action): Promise<void> {
  const about = { kind: request.name, from: request.attrs.from, to: request.attrs.to, id: request.attrs.id };
  // RFC 6120 §8.3.1 and the module: nothing is sent back for an error stanza, so two entities
  // can never bounce errors forever.
  if (isError(request)) return deps.log.debug("not answering an error stanza", { ...about, action: action.kind });
  if (action.kind === "none") return;
  if (action.kind === "refuse") {
    deps.log.error("webhook answer refused", { ...about, why: action.why });
    deps.refused?.("unusable");
    return answerRefused(deps, request);
  }
  if (action.kind === "error") return sendError(deps, request, action.error, action.why);
  const wrong = addressProblem(action.stanza, deps.component);
  if (!wrong) return send(deps, action.stanza);
  deps.log.error("webhook reply refused", {
    ...about,
    why: wrong.why,
    reply_from: action.stanza.attrs.from,
    reply_to: action.stanza.attrs.to,
  });
  deps.refused?.(wrong.reason);
  return answerRefused(deps, request);
}

/**
 * The webhook meant to answer, but its answer cannot go out. An iq get/set MUST get an answer
 * (RFC 6120 §8.2.3) and a chat or normal message expects one, so those get an error. Presence,
 * groupchat and headline messages get nothing, as the engine answers stanzas no route takes (a
 * MUC room would kick an occupant that answers its traffic with errors).
 */
async function answerRefused(deps: ForwardDeps, request: Element): Promise<void> {
  if (needsAnswer(request)) await send(deps, stanzaError(request, WEBHOOK_ERRORS.WEBHOOK_UNUSABLE));
}

async function sendError(deps: ForwardDeps, request: Element, error: StanzaErrorSpec, why: string): Promise<void> {
  deps.log.warn("webhook call failed", { kind: request.name, from: request.attrs.from, why, condition: error.condition });
  // RFC 6120 §8.2.3: an iq result is never answered with an iq error (the module did).
  if (request.name === "iq" && request.attrs.type === "result") return;
  await send(deps, stanzaError(request, error));
}

async function send(deps: ForwardDeps, stanza: Element): Promise<void> {
  try {
    await deps.send(stanza);
  } catch (err) {
    deps.log.warn("reply not sent", { err, kind: stanza.name, to: stanza.attrs.to });
  }
}

/**
 * XEP-0114 and Prosody's mod_component: a stanza from outside the component's domain is a
 * stream error (invalid-from) that would cut every route off, so it never leaves. And the server
 * routes every address at the component's domain back to this gateway (XEP-0114 §1): a reply to
 * one of them would be forwarded again, and a webhook answering it the same way (or two of our
 * JIDs answering each other) would loop without end, so it never leaves either.
 */
function addressProblem(stanza: Element, component: string): { reason: RefusalReason; why: string } | undefined {
  const domain = component.toLowerCase();
  const from = stanza.attrs.from === undefined ? undefined : parseJid(stanza.attrs.from);
  if (from?.domain !== domain)
    return { reason: "outside_domain", why: `from ${JSON.stringify(stanza.attrs.from)} is outside the component's domain ${component}` };
  const to = stanza.attrs.to === undefined ? undefined : parseJid(stanza.attrs.to);
  if (!to) return { reason: "unusable", why: `to ${JSON.stringify(stanza.attrs.to)} is not a JID` };
  if (to.domain === domain)
    return {
      reason: "loop",
      why: `to ${JSON.stringify(stanza.attrs.to)} is an address of this component: the reply would come back to it (a loop)`,
    };
  return undefined;
}

/**
 * What the webhook's answer means for the XMPP sender, as in mod_component_http: a 200
 * application/json answer is a reply, any other 2xx means "no reply", anything else is an error
 * reply from the module's status table (src/plugin-api/errors.ts, stanzaErrorForStatus).
 */
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
      return { kind: "error", error: WEBHOOK_ERRORS.WEBHOOK_TIMEOUT, why: "the webhook did not answer in time" };
    case "unreachable":
      return { kind: "error", error: WEBHOOK_ERRORS.WEBHOOK_UNREACHABLE, why: `the webhook could not be reached: ${result.reason}` };
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
  if (data === undefined)
    return { kind: "error", error: WEBHOOK_ERRORS.WEBHOOK_MALFORMED, why: "the webhook's 200 answer is not a JSON object" };
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
