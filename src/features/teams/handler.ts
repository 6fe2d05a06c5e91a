/**
 * POST <path> of a teams route, answered as each sender checks it:
 * - a MessageCard (the legacy connector): 200 with the body `1`, which Grafana requires byte for
 *   byte from an office.com webhook (validateOfficeWebhookResponse); refusals as text/plain, as
 *   the connector gave them;
 * - a Workflows message: 202 with no body, as Power Automate accepts a trigger request; refusals
 *   in its `{"error": {"code", "message"}}` shape.
 * Either success only once the message is sent or queued in the outbox (never lost).
 */
import { GatewayError, jsonResponse } from "../../plugin-api/errors.ts";
import type { HttpHandler } from "../../plugin-api/index.ts";
import { requireMayAddress } from "../../kit/auth.ts";
import { sendNotification } from "../../notify/send.ts";
import type { FormatPorts } from "../../notify/ports.ts";
import { noText, readTeamsPayload, teamsNotification, type TeamsPayload } from "./read.ts";
import type { TeamsRoute } from "./schema.ts";

/** A path below a teams route's prefix that is no webhook (a wrong secret): 404 in the Workflows shape. */
export function unknownTeamsHook(): Response {
  return teamsRefusal("workflows", new GatewayError("NOT_FOUND", "No Teams webhook at this path"));
}

export function teamsHandler(route: TeamsRoute, deps: FormatPorts): HttpHandler {
  return async function serveTeams({ request, ip }) {
    let shape: TeamsPayload["shape"] = "workflows";
    try {
      const user = deps.auth ? await deps.auth.authenticate(request, ip) : undefined;
      for (const jid of route.to) requireMayAddress(user, jid);
      const payload = await readTeamsPayload(request, deps.maxBodyBytes);
      shape = payload.shape;
      await sendNotification(teamsNotification(payload), route.to, deps);
      return shape === "connector"
        ? new Response("1", { status: 200, headers: { "content-type": "text/plain; charset=utf-8" } })
        : new Response(null, { status: 202 });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return teamsRefusal(shape, err.code === "NO_TEXT" ? noText(shape) : err);
    }
  };
}

/** A refusal as each sender reads it: the connector's text, or the Workflows `{"error": …}`. */
export function teamsRefusal(shape: TeamsPayload["shape"], err: GatewayError): Response {
  return shape === "connector"
    ? new Response(err.message, { status: err.status, headers: { "content-type": "text/plain; charset=utf-8", ...err.headers } })
    : jsonResponse(err.status, { error: { code: err.code, message: err.message, ...err.details } }, err.headers);
}
