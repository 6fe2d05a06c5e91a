/**
 * The two requests of an apprise route, each answered as its sender checks it:
 * - json:// (NotifyJSON.py) takes any 2xx: 201 `{"status":"sent"}` once the server has the
 *   message, 202 `{"status":"queued"}` while the outbox holds it; errors in the catalogue's shape;
 * - the Apprise API (NotifyAppriseAPI.py) takes exactly 200 (`requests.codes.ok`): 200 once sent
 *   or queued (never lost either way), and errors as apprise-api words them (responses.py): the
 *   sentence as text/plain, or apprise-api's `{"error": null | sentence, "details": …}` when the
 *   client accepts JSON; a body too large is its 431.
 */
import { GatewayError, errorResponse, jsonResponse } from "../../plugin-api/errors.ts";
import type { HttpHandler, HttpRequest } from "../../plugin-api/index.ts";
import { requireMayAddress } from "../../kit/auth.ts";
import { sendNotification } from "../../notify/send.ts";
import type { FormatPorts } from "../../notify/ports.ts";
import { appriseNotification } from "./notification.ts";
import { fileSender } from "../../notify/incoming-files.ts";
import { withRequestFiles } from "../../files/request-files.ts";
import { invalid, readApiPayload, readJsonPayload, type AppriseMessage, type AttachInput } from "./read.ts";
import type { AppriseRoute } from "./schema.ts";

/** apprise-api's `{KEY}` (urls.py): what a configuration is stored under. */
const KEY = /^[A-Za-z0-9_-]{1,128}$/;

type Read = (request: Request, maxBytes: number, attach: AttachInput) => Promise<AppriseMessage>;

async function notify(req: HttpRequest, route: AppriseRoute, deps: FormatPorts, read: Read) {
  const user = deps.auth ? await deps.auth.authenticate(req.request, req.ip) : undefined;
  for (const jid of route.to) requireMayAddress(user, jid);
  return withRequestFiles(deps.files, async (files) => {
    const message = await read(req.request, deps.maxBodyBytes, { files, sender: fileSender(user, req.ip) });
    try {
      return await sendNotification(appriseNotification(message), route.to, deps);
    } catch (err) {
      // Apprise refuses to notify with nothing to say (cli.py exits 3): also markup that strips to nothing.
      if (err instanceof GatewayError && err.code === "NO_TEXT") throw invalid("body", "the notification is empty");
      throw err;
    }
  });
}

export function jsonHandler(route: AppriseRoute, deps: FormatPorts): HttpHandler {
  return async function serveAppriseJson(req) {
    try {
      const { outcome } = await notify(req, route, deps, readJsonPayload);
      return jsonResponse(outcome === "sent" ? 201 : 202, { status: outcome });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return errorResponse(err);
    }
  };
}

/** apprise-api answers JSON to a client that accepts it (responses.py), else text. */
const acceptsJson = (request: Request) => /\bapplication\/json\b/i.test(request.headers.get("accept") ?? "");

export function apiHandler(route: AppriseRoute, deps: FormatPorts): HttpHandler {
  return async function serveAppriseApi(req) {
    const json = acceptsJson(req.request);
    try {
      const key = req.params.key;
      if (key !== undefined && key !== "" && !KEY.test(key))
        throw new GatewayError("NOT_FOUND", "The key must be 1 to 128 of A-Z a-z 0-9 _ -");
      const { outcome } = await notify(req, route, deps, readApiPayload);
      return json ? jsonResponse(200, { error: null, details: { status: outcome } }) : text(200, "Notification(s) sent.");
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return apiError(err, json);
    }
  };
}

/** A refusal the front door makes for the Apprise API (a body too large), as apprise-api words it. */
export const apiRefusal = (err: GatewayError, request: Request): Response => apiError(err, acceptsJson(request));

function apiError(err: GatewayError, json: boolean): Response {
  // apprise-api's one answer to a payload too large, a file included (README "API Response Codes").
  const status = err.code === "BODY_TOO_LARGE" || err.code === "FILE_TOO_LARGE" ? 431 : err.status;
  const problems = err.details.problems as Array<{ field: string }> | undefined;
  const headers = err.headers;
  if (!json) return text(status, err.message, headers);
  const details = { code: err.code, ...(problems?.[0] ? { field: problems[0].field } : {}) };
  return jsonResponse(status, { error: err.message, details }, headers);
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
}
