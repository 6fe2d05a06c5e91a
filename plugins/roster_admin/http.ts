/**
 * The web app's side of mod_http_roster_admin: `POST <path>/refresh` with a JSON array of
 * usernames, and `GET <path>/refresh/<username>`. Bodies and statuses are the original's
 * (see README "Differences" for the cases where it hung, crashed or said the wrong thing).
 */
import {
  GatewayError,
  errorResponse,
  jsonResponse,
  type HttpRequest,
  type PluginRoute,
  type XmppPort,
} from "../../src/plugin-api/index.ts";
import { readText } from "../../src/kit/request-body.ts";

/** A refresh body is a list of user names: a megabyte holds tens of thousands. */
const MAX_BODY_BYTES = 1_048_576;
const COMPLETE = "roster update complete";

export interface RefreshDeps {
  route: PluginRoute;
  xmpp: XmppPort;
  /** Syncs one user; rejects with a SyncError. */
  refresh(username: string): Promise<unknown>;
}

export function refreshMany(deps: RefreshDeps) {
  return async function refreshManyHandler({ request, ip }: HttpRequest): Promise<Response> {
    try {
      await deps.route.auth?.authenticate(request, ip);
      const users = parseUsernames(await readText(request, MAX_BODY_BYTES));
      ready(deps.xmpp);
      const outcomes = await Promise.allSettled(users.map((u) => deps.refresh(u)));
      const errors = outcomes.filter((o) => o.status === "rejected").length;
      // Always "ok", as the original answered even when every user failed (its README's "error"
      // status never happened): web apps read `errors`, and keep seeing what they always saw.
      return jsonResponse(200, { status: "ok", message: COMPLETE, updated: users.length - errors, errors });
    } catch (err) {
      return errorResponse(err);
    }
  };
}

export function refreshOne(deps: RefreshDeps) {
  return async function refreshOneHandler({ request, ip, params }: HttpRequest): Promise<Response> {
    try {
      await deps.route.auth?.authenticate(request, ip);
      ready(deps.xmpp);
      await deps.refresh(params.username ?? "");
      return jsonResponse(200, { status: "ok", message: COMPLETE });
    } catch (err) {
      return errorResponse(err);
    }
  };
}

function ready(xmpp: XmppPort): void {
  if (!xmpp.isOnline()) throw new GatewayError("LINK_DOWN");
  requireRosterPrivilege(xmpp);
}

/** The body must be a JSON array of strings (usernames). */
export function parseUsernames(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new GatewayError("INVALID_JSON", "Body must be a JSON array of usernames", { details: { reason: (err as Error).message } });
  }
  if (!Array.isArray(value) || !value.every((u): u is string => typeof u === "string")) {
    throw new GatewayError("INVALID_BODY", 'Body must be a JSON array of usernames, e.g. ["john", "aaron"]');
  }
  return value;
}

/**
 * A component cannot own rosters; it needs XEP-0356 "Roster Access" of type "both" (get to read,
 * set to write). Without it the refresh endpoints answer 503.
 */
/** Throws PRIVILEGE_MISSING (503) unless the roster permission is "both". */
function requireRosterPrivilege(xmpp: XmppPort): void {
  const granted = xmpp.privileges().roster;
  if (granted === "both") return;
  throw new GatewayError("PRIVILEGE_MISSING", 'The XMPP server did not grant the roster permission "both" (XEP-0356) this route needs', {
    details: { permission: "roster", required: "both", granted },
  });
}
