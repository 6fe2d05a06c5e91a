/**
 * The two requests Home Assistant's ntfy integration (through the aiontfy library) makes besides
 * the WebSocket itself, in the order it makes them (test/fixtures/subscribe/home-assistant.json):
 * `GET /v1/account` at set-up, then `GET /<topics>/auth` before each subscription. Without them it
 * retries forever and never subscribes.
 */
import { GatewayError, errorResponse } from "../../plugin-api/errors.ts";
import type { HttpHandler } from "../../plugin-api/index.ts";
import { withNtfyAuthorization } from "./auth.ts";
import { asNtfy } from "./errors.ts";
import type { NtfyRoute } from "./schema.ts";
import { subscribeChecks, type SubscribeDeps } from "./subscribe.ts";
import type { SubscribeSettings } from "./subscribe-schema.ts";

/**
 * ntfy's `GET /<topics>/auth` (server.go authPathRegex, handleTopicAuth): `{"success":true}` when
 * the caller may read every topic, else the same refusal a subscription gets (401 40101, 403
 * 40301, 404 40401). It opens nothing, so the subscriber bound does not apply.
 */
export function topicAuthHandler(route: NtfyRoute, settings: SubscribeSettings, deps: SubscribeDeps): HttpHandler {
  const check = subscribeChecks(route, { ...settings, max_subscribers: Number.POSITIVE_INFINITY }, deps);
  return async (req) => {
    try {
      await check(req);
      return Response.json({ success: true });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return errorResponse(asNtfy(err));
    }
  };
}

/** ntfy's usage counters (server/types.go apiAccountStats): Stanzagate keeps no ntfy accounts, so none is counted. */
const NO_USAGE = Object.fromEntries(
  ["messages", "emails", "calls", "reservations", "attachment_total_size"].flatMap((k) => [
    [k, 0],
    [`${k}_remaining`, 0],
  ]),
);

/**
 * ntfy's `GET /v1/account` (server_account.go handleAccountGet), which ntfy answers anonymous
 * callers too: who the credentials are (`*` without any, as ntfy) and their role. Stanzagate has
 * no ntfy accounts, tiers or quotas: usage is reported as none (docs/formats.md, "Subscribing").
 * Credentials the route's scheme refuses get its refusal (aiontfy asks the user to sign in again).
 */
export function accountHandler(deps: SubscribeDeps): HttpHandler {
  return async ({ request, ip }) => {
    try {
      const user = deps.auth ? await deps.auth.authenticate(withNtfyAuthorization(request), ip) : undefined;
      return Response.json({ username: user?.name ?? "*", role: user ? "user" : "anonymous", stats: NO_USAGE });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return errorResponse(asNtfy(err));
    }
  };
}
