/**
 * A declarative route: auth -> read and check the body -> render the stanza template -> deliver
 * -> 201 {"status":"sent"} or 202 {"status":"queued"}. No code per integration.
 */
import type { Element } from "ltx";
import type { DeclarativeRouteConfig } from "../config/load.ts";
import { GatewayError, errorResponse, jsonResponse } from "../errors.ts";
import type { HttpHandler } from "../plugin-api.ts";
import type { Authenticator } from "./auth/types.ts";
import { requireMayAddress } from "../plugin-api/auth.ts";
import { readBody } from "../plugin-api/request-body.ts";

export interface DeclarativeDeps {
  auth: Authenticator | undefined;
  component: string;
  maxBodyBytes: number;
  deliver(stanza: Element): Promise<"sent" | "queued">;
  newId(): string;
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
      const outcome = await deps.deliver(stanza);
      return jsonResponse(outcome === "sent" ? 201 : 202, { status: outcome, id: stanza.attrs.id });
    } catch (err) {
      // Anything else is a fault: rethrown so the HTTP layer logs it with its stack and answers 500.
      if (!(err instanceof GatewayError)) throw err;
      return errorResponse(err);
    }
  };
}

/** A text/plain body is `body.text`; forms and JSON objects give their fields; no body is `{}`. */
async function bodyFields(request: Request, maxBytes: number): Promise<Record<string, unknown>> {
  if (!request.headers.has("content-type") && (!request.body || (await request.clone().arrayBuffer()).byteLength === 0)) return {};
  const body = await readBody(request, maxBytes);
  return body.type === "text" ? { text: body.text } : body.fields;
}
