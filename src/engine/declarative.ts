/**
 * A declarative route: auth -> read and check the body -> render the stanza template -> deliver
 * -> 201 {"status":"sent"} or 202 {"status":"queued"}. No code per integration.
 */
import type { Element } from "ltx";
import type { DeclarativeRouteConfig } from "../config/load.ts";
import { GatewayError, errorResponse, jsonResponse } from "../errors.ts";
import type { HttpHandler } from "../plugin-api.ts";
import type { Authenticator, Identity } from "./auth/types.ts";
import { requireMayAddress } from "../plugin-api/auth.ts";
import { readBody } from "../plugin-api/request-body.ts";
import { iqRoundTrip, isIqRequest, type IqPort } from "./iq-route.ts";

export interface DeclarativeDeps {
  auth: Authenticator | undefined;
  component: string;
  maxBodyBytes: number;
  deliver(stanza: Element): Promise<"sent" | "queued">;
  newId(): string;
  /** Sends iq get/set templates and waits for the answer (iq-route.ts). */
  iq: IqPort & { defaultTimeoutMs: number };
}

export function declarativeHandler(route: DeclarativeRouteConfig, deps: DeclarativeDeps): HttpHandler {
  return async function serveDeclarativeRoute({ request, params, ip }) {
    try {
      const user = deps.auth ? await deps.auth.authenticate(request, ip) : undefined;
      const url = new URL(request.url);
      const raw = route.method === "GET" ? {} : await bodyFields(request, deps.maxBodyBytes);
      const body = route.body ? route.body.parse(raw) : raw;
      const id = deps.newId();
      const stanza = route.template.render({ params, query: Object.fromEntries(url.searchParams), body, user, id });
      stanza.attrs.from ??= deps.component;
      stanza.attrs.id ??= id;
      requireMayAddress(user, stanza.attrs.to);
      if (isIqRequest(stanza)) return await askIq(route, deps, { iq: stanza, request, params, url, body, user });
      const outcome = await deps.deliver(stanza);
      return jsonResponse(outcome === "sent" ? 201 : 202, { status: outcome, id: stanza.attrs.id });
    } catch (err) {
      // Anything else is a fault: rethrown so the HTTP layer logs it with its stack and answers 500.
      if (!(err instanceof GatewayError)) throw err;
      return errorResponse(err);
    }
  };
}

/** An iq get/set template: a round trip answered with the reply (never the outbox). */
function askIq(route: DeclarativeRouteConfig, deps: DeclarativeDeps, c: { iq: Element; request: Request; params: Record<string, string>; url: URL; body: unknown; user: Identity | undefined }): Promise<Response> {
  const scope = { params: c.params, query: Object.fromEntries(c.url.searchParams), body: c.body, user: c.user ?? null };
  const timeoutMs = route.timeoutMs ?? deps.iq.defaultTimeoutMs;
  return iqRoundTrip({ iq: c.iq, timeoutMs, accept: c.request.headers.get("accept"), respond: route.respond, scope }, deps.iq);
}

/** A text/plain body is `body.text`; forms and JSON objects give their fields; no body is `{}`. */
async function bodyFields(request: Request, maxBytes: number): Promise<Record<string, unknown>> {
  if (!request.headers.has("content-type") && (!request.body || (await request.clone().arrayBuffer()).byteLength === 0)) return {};
  const body = await readBody(request, maxBytes);
  return body.type === "text" ? { text: body.text } : body.fields;
}
