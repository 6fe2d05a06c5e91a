/**
 * `GET /<topics>/ws`: the subscription over a WebSocket (server/server.go handleSubscribeWS of
 * binwiederhier/ntfy v2.13). Each event is one text frame of ntfy's message JSON; idle, the
 * server pings every keepalive_s. The client only ever sends pings: a frame of more than 64 bytes
 * (ntfy's wsReadLimit) closes it with 1009, smaller ones are read and ignored, as ntfy does.
 * Bun's `server.upgrade` takes the connection over (http/upgrade.ts).
 */
import type { ServerWebSocket } from "bun";
import { GatewayError, errorResponse } from "../../plugin-api/errors.ts";
import type { HttpHandler } from "../../plugin-api/index.ts";
import { upgradeWebSocket, type SocketHandlers } from "../../http/upgrade.ts";
import { SHUTTING_DOWN } from "../../topics/bus.ts";
import { NTFY, asNtfy, ntfyError } from "./errors.ts";
import type { NtfyRoute } from "./schema.ts";
import { liveFeed, subscribeChecks, tooSlow, type Checked, type SubscribeDeps } from "./subscribe.ts";
import type { SubscribeSettings } from "./subscribe-schema.ts";
import { controlEvent, wireJson } from "./wire.ts";

/** ntfy's wsReadLimit: "We only ever receive PINGs". */
const READ_LIMIT = 64;
/** RFC 6455 §7.4.1: 1001 going away (shutdown), 1008 policy violation (too slow), 1009 message too big. */
const GOING_AWAY = 1001;
const TOO_SLOW = 1008;
const TOO_BIG = 1009;

export function webSocketHandler(route: NtfyRoute, settings: SubscribeSettings, deps: SubscribeDeps): HttpHandler {
  const check = subscribeChecks(route, settings, deps);
  return async (req) => {
    try {
      if (req.request.headers.get("upgrade")?.toLowerCase() !== "websocket") throw ntfyError(NTFY.webSocketUpgradeMissing);
      const sub = await check(req);
      if (!upgradeWebSocket(req.request, socketHandlers(sub, settings, deps)))
        throw ntfyError(NTFY.webSocketUpgradeMissing, "this request came without a socket to take over");
      // Bun ignores the answer of an upgraded request; this one is for the request log.
      return new Response(null, { status: 101 });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return errorResponse(asNtfy(err));
    }
  };
}

function socketHandlers(sub: Checked, settings: SubscribeSettings, deps: SubscribeDeps): SocketHandlers {
  let stop: ((reason?: string) => void) | undefined;
  let closed = false;
  return {
    open(ws) {
      stream(ws, sub, settings, deps).then(
        (end) => {
          if (closed) end();
          else stop = end;
        },
        // RFC 6455 §7.4.1: 1011, the server met a condition that kept it from serving the request.
        () => ws.close(1011, "the topic's cache cannot be read"),
      );
    },
    message(ws, data) {
      if (data.length > READ_LIMIT) ws.close(TOO_BIG, "message too big: this socket only takes pings");
    },
    close() {
      closed = true;
      stop?.();
    },
  };
}

/** `open`, the replay, then live events; returns how to stop it. */
async function stream(ws: ServerWebSocket<SocketHandlers>, sub: Checked, settings: SubscribeSettings, deps: SubscribeDeps) {
  ws.send(wireJson(controlEvent("open", sub.named)));
  const cached = await deps.topics.cached(sub.topics, sub.cursor, sub.filter);
  for (const e of cached) ws.send(wireJson(e));
  return liveFeed(sub, settings, deps, cached, {
    send(e) {
      // Bun queues what the socket cannot take yet: past the bound this subscriber is too slow.
      if (ws.getBufferedAmount() > settings.buffer_bytes) throw new Error(tooSlow(settings));
      ws.send(wireJson(e));
    },
    tick: () => void ws.ping(),
    // A close reason is at most 123 bytes (RFC 6455 §5.5).
    end: (reason) => (reason ? ws.close(reason === SHUTTING_DOWN ? GOING_AWAY : TOO_SLOW, reason.slice(0, 123)) : undefined),
  });
}
