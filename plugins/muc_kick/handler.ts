/**
 * `POST /muc_kick`, in mod_http_muc_kick's order: authorization, JSON body, the room, the kick.
 * Every answer the original gave keeps its status and exact body (`{"error":"..."}`, no other
 * key); answers it never gave (timeouts, a lost link, a malformed JID) use the gateway's
 * catalogue, `{error, code, ...}`. Success is 200 with an empty body, as `return 200` was there.
 */
import {
  GatewayError,
  IqTimeoutError,
  errorResponse,
  fromXmppFailure,
  type Authenticator,
  type HttpHandler,
  type Logger,
} from "../../src/plugin-api/index.ts";
import { formatJid } from "../../src/kit/jid.ts";
import { readText } from "../../src/kit/request-body.ts";
import { ORIGINAL_BODIES } from "./errors.ts";
import { parseKickBody, type BodyProblem, type KickRequest } from "./body.ts";
import type { Locate } from "./locate.ts";
import type { Refusal } from "./actions.ts";

/** A kick body is a few short strings; anything near this is not one. */
const MAX_BODY_BYTES = 64 * 1024;

export interface HandlerDeps {
  auth: Authenticator;
  action: "kick" | "ban";
  locate: Locate;
  perform(req: KickRequest, room: string): Promise<Refusal | undefined>;
  isJoined(room: string): boolean;
  isOnline(): boolean;
  log: Logger;
}

export function mucKickHandler(deps: HandlerDeps): HttpHandler {
  return async function handleMucKick({ request, ip }) {
    try {
      return await serve(deps, request, ip);
    } catch (err) {
      return failure(deps, err);
    }
  };
}

async function serve(deps: HandlerDeps, request: Request, ip: string): Promise<Response> {
  const denied = await authorize(deps.auth, request, ip);
  if (denied) return denied;
  const parsed = parseKickBody(await readText(request, MAX_BODY_BYTES));
  if ("kind" in parsed) return bodyProblem(parsed);
  if (!deps.isOnline()) throw new GatewayError("LINK_DOWN");
  const room = `${parsed.room.local}@${parsed.room.domain}`.toLowerCase();
  const missing = await deps.locate(parsed.room, { roomKnown: deps.isJoined(room) });
  if (missing) return errorResponse(new GatewayError("NOT_FOUND", undefined, { body: ORIGINAL_BODIES.notFound(missing) }));
  const refusal = await deps.perform(parsed, room);
  const target = parsed.target.kind === "nick" ? { nick: parsed.target.nick } : { jid: formatJid(parsed.target.jid) };
  if (refusal) {
    deps.log.info(`${deps.action} refused`, { room, ...target, condition: refusal.condition });
    return refused(deps.action, refusal);
  }
  deps.log.info(deps.action === "kick" ? "kicked" : "banned", { room, ...target });
  return new Response(null, { status: 200 });
}

/** The original compared one header and said only this, whatever was wrong with it. */
async function authorize(auth: Authenticator, request: Request, ip: string): Promise<Response | undefined> {
  try {
    await auth.authenticate(request, ip);
    return undefined;
  } catch (err) {
    if (!(err instanceof GatewayError) || (err.code !== "AUTH_REQUIRED" && err.code !== "AUTH_FAILED")) throw err;
    return errorResponse(new GatewayError("AUTH_FAILED", undefined, { headers: err.headers, body: ORIGINAL_BODIES.authFailed }));
  }
}

function bodyProblem(problem: BodyProblem): Response {
  switch (problem.kind) {
    case "no-json":
      return errorResponse(new GatewayError("INVALID_JSON", undefined, { body: ORIGINAL_BODIES.noJson }));
    case "missing":
      return errorResponse(new GatewayError("INVALID_BODY", undefined, { body: ORIGINAL_BODIES.missing }));
    case "invalid-jid":
      return errorResponse(new GatewayError("INVALID_JID", `Not a valid JID: ${problem.value}`, { details: { field: problem.field } }));
    case "invalid-text":
      return errorResponse(new GatewayError("INVALID_XML_TEXT", undefined, { details: { field: problem.field } }));
  }
}

function refused(action: "kick" | "ban", r: Refusal): Response {
  return errorResponse(new GatewayError("BAD_REQUEST", undefined, { body: ORIGINAL_BODIES.refused(action, r.type, r.condition, r.text) }));
}

function failure(deps: HandlerDeps, err: unknown): Response {
  if (err instanceof GatewayError) return errorResponse(err);
  if (err instanceof IqTimeoutError) return errorResponse(fromXmppFailure(err));
  if (!deps.isOnline()) return errorResponse(new GatewayError("LINK_DOWN"));
  deps.log.error("muc_kick failed", { err: err instanceof Error ? err : String(err) });
  return errorResponse(err);
}
