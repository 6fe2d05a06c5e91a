/**
 * component_http: a bot or component written as a webhook, as mod_component_http does it. Stanzas
 * sent to the component's JIDs are POSTed as JSON to `post_url`; the JSON answer becomes the
 * reply stanza, and a failed call an error reply. See README.md.
 *
 * A webhook call, top to bottom: index.ts (which stanzas this route takes; presence answered
 * here) -> forward.ts (through the limiter, then the answer's meaning and what is sent back) ->
 * webhook.ts (the JSON, the signature, the POST) and reply.ts (the answer as a stanza).
 */
import { createLimiter } from "../../src/kit/limiter.ts";
import { definePlugin, type Element, type PluginContext, STANZA_ERRORS } from "../../src/plugin-api/index.ts";
import { isError, stanzaError } from "../../src/kit/stanza-error.ts";
import { parseJid } from "../../src/kit/jid.ts";
import { xml } from "../../src/kit/xml.ts";
import { WEBHOOK_ERRORS } from "./errors.ts";
import { forward, type ForwardDeps } from "./forward.ts";
import { ComponentHttpOptionsSchema, validateOptions, type ComponentHttpOptions } from "./options.ts";
import { signingKey } from "./webhook.ts";

/** On shutdown, calls in flight get this long to bring their replies home before being cut. */
const STOP_GRACE_MS = 5_000;

export default definePlugin({
  name: "component_http",
  summary: "Stanzas sent to the component are POSTed as JSON to a webhook; its JSON answer becomes the reply (mod_component_http).",
  options: ComponentHttpOptionsSchema,
  // No HTTP endpoint: the route only says which component JIDs go to which webhook.
  defaultPath: "/component_http",
  noHttpPath: true,
  errors: { stanza: WEBHOOK_ERRORS },
  validate: (options) => validateOptions(options),
  stanzas: (options) =>
    options.local_parts?.map((localPart, i) => ({
      claim: { localPart: localPart.toLowerCase() },
      path: ["options", "local_parts", i],
    })) ?? [{ claim: { catchAll: true }, path: ["plugin"] }],
  setup(ctx) {
    const stopping = new AbortController();
    const inFlight = new Set<Promise<void>>();
    const track = (work: Promise<void>) => {
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    };
    let closing = false;
    const handle = stanzaHandler(ctx, forwardDeps(ctx, stopping.signal), track);
    ctx.xmpp.onStanza(
      (stanza) => !closing && handle(stanza),
      ctx.options.local_parts ? { localParts: ctx.options.local_parts } : { catchAll: true },
    );
    return {
      async stop() {
        closing = true;
        await Promise.race([Promise.allSettled(inFlight), Bun.sleep(Math.min(STOP_GRACE_MS, ctx.options.timeout_ms))]);
        stopping.abort();
        await Promise.allSettled(inFlight);
      },
    };
  },
});

/** Takes the stanzas of this route's JIDs: forwards the configured kinds, answers presence itself. */
function stanzaHandler(ctx: PluginContext<ComponentHttpOptions>, deps: ForwardDeps, track: (work: Promise<void>) => void) {
  const kinds: ReadonlySet<string> = new Set(ctx.options.stanzas);
  const serves = servedJids(ctx.xmpp.component, ctx.options.local_parts);
  return function componentHttpStanza(stanza: Element): boolean {
    if (!serves(stanza.attrs.to) || isForwardedBroadcast(stanza, ctx.xmpp.component)) return false;
    if (kinds.has(stanza.name)) {
      track(forward(deps, stanza).catch((err: unknown) => ctx.log.error("forwarding failed", { err })));
      return true;
    }
    if (stanza.name !== "presence") return false;
    for (const reply of presenceReplies(stanza))
      track(deps.send(reply).catch((err: unknown) => ctx.log.warn("presence not sent", { err })));
    return true;
  };
}

function forwardDeps(ctx: PluginContext<ComponentHttpOptions>, stopping: AbortSignal): ForwardDeps {
  const { options } = ctx;
  return {
    target: {
      fetch: ctx.fetch,
      url: options.post_url,
      contentType: options.content_type,
      timeoutMs: options.timeout_ms,
      key: options.signing_secret === undefined ? undefined : signingKey(options.signing_secret),
      stopping,
    },
    limiter: createLimiter(options.max_concurrent, options.max_queued),
    addressing: options.stanza_addresses,
    component: ctx.xmpp.component,
    send: (stanza) => ctx.xmpp.send(stanza),
    log: ctx.log,
    observe: webhookMetrics(ctx),
    refused: refusalMetrics(ctx),
  };
}

/** stanzagate_component_http_webhook_calls_total{outcome} and _webhook_seconds{outcome}. */
function webhookMetrics(ctx: PluginContext<ComponentHttpOptions>): (outcome: string, seconds: number) => void {
  const calls = ctx.metrics.counter({
    name: "webhook_calls_total",
    help: "Webhook calls by outcome (answered_2xx.. answered_5xx, timeout, unreachable, stopped, queue_full).",
    labels: ["outcome"],
  });
  const latency = ctx.metrics.histogram({ name: "webhook_seconds", help: "Duration of webhook calls, by outcome.", labels: ["outcome"] });
  return (outcome, seconds) => {
    calls.inc({ outcome });
    if (outcome !== "queue_full") latency.observe({ outcome }, seconds);
  };
}

/** stanzagate_component_http_replies_refused_total{reason}: answers not sent (loop, outside_domain, unusable). */
function refusalMetrics(ctx: PluginContext<ComponentHttpOptions>): (reason: string) => void {
  const refused = ctx.metrics.counter({
    name: "replies_refused_total",
    help: "Webhook answers not sent, by reason: loop (addressed to the component itself), outside_domain (from outside it), unusable.",
    labels: ["reason"],
  });
  return (reason) => refused.inc({ reason });
}

/** Is `to` one of this route's JIDs? Local parts compare case-insensitively (RFC 7622 §3.3). */
function servedJids(component: string, localParts: string[] | undefined): (to: string | undefined) => boolean {
  const wanted = localParts === undefined ? undefined : new Set(localParts.map((l) => l.toLowerCase()));
  return (to) => {
    const jid = to === undefined ? undefined : parseJid(to);
    if (jid?.domain !== component.toLowerCase()) return false;
    return wanted === undefined || wanted.has(jid.local.toLowerCase());
  };
}

/**
 * The module's default presence handler hooks presence/bare only (user@component, no resource).
 * Presence to the domain or a full JID reaches no handler, and Prosody's router answers what
 * no handler takes, errors aside, with cancel/service-unavailable (core/stanza_router.lua).
 * The users' forwarded broadcast presences never get here (isForwardedBroadcast).
 */
function presenceReplies(stanza: Element): Element[] {
  if (isBareWithLocal(stanza.attrs.to)) return defaultPresenceReplies(stanza);
  return isError(stanza) ? [] : [stanzaError(stanza, STANZA_ERRORS.NO_HANDLER)];
}

function isBareWithLocal(to: string | undefined): boolean {
  const jid = to === undefined ? undefined : parseJid(to);
  return jid !== undefined && jid.local !== "" && jid.resource === "";
}

/**
 * The module's built-in presence for a JID of the component when the webhook does not take
 * presence: an always-on contact that accepts every subscription (RFC 6121 §3.1.3, §4.3.2).
 * Every answer comes from the addressed bare JID with the resource "default", as the module sends
 * it, except the approval: RFC 6121 §3.1.5 has the contact's server stamp it with the contact's
 * bare JID. Prosody stamped it so on delivery; ejabberd 23.01 delivers it as sent. Other presence
 * types are taken and ignored.
 */
export function defaultPresenceReplies(stanza: Element): Element[] {
  const { to, from } = stanza.attrs;
  if (to === undefined || from === undefined) return [];
  const attrs = { to: from, from: `${to}/default` };
  switch (stanza.attrs.type) {
    case "probe":
      return [xml("presence", attrs)];
    case "subscribe":
      return [xml("presence", { to: from, from: to, type: "subscribed" }), xml("presence", attrs)];
    case "unsubscribe":
      return [xml("presence", { ...attrs, type: "unavailable" })];
    default:
      return [];
  }
}

/**
 * With XEP-0356 presence permission "managed_entity", the server forwards every user's broadcast
 * presence (available or unavailable, from the user's full JID) to the component's domain itself.
 * The module never received these, and they are addressed to no bot: a route does not take them,
 * so the engine ignores them and plugins that observe logins (roster_admin) still see them. A
 * user's directed available presence to the domain looks the same and is ignored with them.
 */
export function isForwardedBroadcast(stanza: Element, component: string): boolean {
  if (stanza.name !== "presence") return false;
  if (stanza.attrs.type !== undefined && stanza.attrs.type !== "unavailable") return false;
  const to = stanza.attrs.to === undefined ? undefined : parseJid(stanza.attrs.to);
  return to !== undefined && to.local === "" && to.resource === "" && to.domain === component.toLowerCase();
}
