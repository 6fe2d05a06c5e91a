/**
 * ntfy's subscribe API on a ntfy route (docs/subscribe/api.md; server/server.go
 * handleSubscribeHTTP of binwiederhier/ntfy v2.13): `GET /<topics>/json|sse|raw` streams `open`,
 * the cached events `since=` asks for, then each new one, with a `keepalive` every keepalive_s;
 * `poll=1` answers the cached events and ends. `/ws` is subscribe-ws.ts. Each request is checked
 * as a publish is (the route's auth scheme, ntfy's `?auth=`), then for read access to every topic.
 */
import { GatewayError, errorResponse } from "../../plugin-api/errors.ts";
import type { HttpHandler, HttpRequest } from "../../plugin-api/index.ts";
import type { Authenticator } from "../../auth/types.ts";
import { holdOpen, streamingResponse } from "../../http/upgrade.ts";
import { matches } from "../../topics/filter.ts";
import { afterReplay } from "../../topics/replayed.ts";
import { StreamQueue } from "../../topics/stream-queue.ts";
import type { TopicEvent, Topics } from "../../topics/types.ts";
import type { Logger } from "../../plugin-api/log.ts";
import type { Identity } from "../../plugin-api/auth.ts";
import { SHUTTING_DOWN } from "../../topics/bus.ts";
import { requireAccess } from "./access.ts";
import { withNtfyAuthorization } from "./auth.ts";
import { NTFY, asNtfy, ntfyError } from "./errors.ts";
import { RELOADED, type OpenStreams } from "./open-streams.ts";
import { paramsOf } from "./params.ts";
import type { NtfyRoute } from "./schema.ts";
import { readSubscription, type Subscription } from "./subscribe-params.ts";
import type { SubscribeSettings } from "./subscribe-schema.ts";
import { CONTENT_TYPES, controlEvent, encode, type StreamKind } from "./wire.ts";

export interface SubscribeDeps {
  auth: Authenticator | undefined;
  topics: Topics;
  log: Logger;
  /** Streams of this route open now (counted against max_subscribers). */
  open: { count: number };
  /** Every open stream of the feature, checked again at each reload (open-streams.ts). */
  streams: OpenStreams;
  /** The route's path and auth scheme: what a reload compares. */
  route: { path: string; auth: string | undefined };
}

/** The request checked: who asks, for which topics, from where. */
export interface Checked extends Subscription {
  /** The topics as the path wrote them: the `topic` of `open` and `keepalive`. */
  named: string;
  user: Identity | undefined;
}

export function subscribeChecks(route: NtfyRoute, settings: SubscribeSettings, deps: SubscribeDeps) {
  return async function check({ request, params, ip }: HttpRequest): Promise<Checked> {
    const authorized = deps.auth ? withNtfyAuthorization(request) : request;
    const user = deps.auth ? await deps.auth.authenticate(authorized, ip) : undefined;
    const sub = readSubscription(params.topic ?? "", paramsOf(request.headers, new URL(request.url).searchParams), settings.max_topics);
    const unknown = route.to ? undefined : sub.topics.find((t) => route.topics[t] === undefined);
    if (unknown !== undefined)
      throw ntfyError(NTFY.notFound, `topic ${unknown} is not one of this route's (not under topics:, and the route has no to:)`);
    requireAccess(route.access, user, sub.topics, "read");
    if (!sub.poll && deps.open.count >= settings.max_subscribers) throw ntfyError(NTFY.tooManySubscriptions);
    return { ...sub, named: params.topic ?? "", user };
  };
}

export function streamHandler(kind: StreamKind, route: NtfyRoute, settings: SubscribeSettings, deps: SubscribeDeps): HttpHandler {
  const check = subscribeChecks(route, settings, deps);
  return async (req) => {
    let sub: Checked;
    let cached: TopicEvent[];
    try {
      sub = await check(req);
      // A store that cannot be read (down, or silent past its bound) is ntfy's 503, never a 500.
      cached = await deps.topics.cached(sub.topics, sub.cursor, sub.filter);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return errorResponse(asNtfy(err));
    }
    const headers = { "content-type": CONTENT_TYPES[kind], "cache-control": "no-cache", "x-accel-buffering": "no" };
    if (sub.poll) return new Response(cached.map((e) => encode(kind, e)).join(""), { status: 200, headers });
    holdOpen(req.request);
    return streamingResponse(openStream(kind, sub, cached, settings, deps), { status: 200, headers });
  };
}

/** `open`, the replay, then live events; closed when the client goes or falls behind. */
function openStream(
  kind: StreamKind,
  sub: Checked,
  cached: readonly TopicEvent[],
  settings: SubscribeSettings,
  deps: SubscribeDeps,
): ReadableStream<Uint8Array> {
  const queue = new StreamQueue(settings.buffer_bytes, () => stop());
  queue.pushReplay(encode(kind, controlEvent("open", sub.named)));
  for (const e of cached) queue.pushReplay(encode(kind, e));
  const stop = liveFeed(sub, settings, deps, cached, {
    send: (e) => queue.push(encode(kind, e), tooSlow(settings)),
    tick: () => queue.push(encode(kind, controlEvent("keepalive", sub.named)), tooSlow(settings)),
    // Only a subscriber too slow is cut off; a stop or a reload ends the body cleanly (its last chunk).
    end: (reason) => (reason && !endsCleanly(reason) ? queue.abort() : queue.end()),
  });
  return queue.stream;
}

/** The reasons that end a stream with its terminating chunk rather than a reset: the gateway stops, a reload ends it. */
const endsCleanly = (reason: string): boolean => reason === SHUTTING_DOWN || reason.startsWith(RELOADED);

export const tooSlow = (settings: SubscribeSettings) => `subscriber too slow: more than ${settings.buffer_bytes} bytes unsent`;

/** What a stream does with its live side: send an event, mark a keepalive, end (with a reason: dropped). */
export interface Feed {
  send(e: TopicEvent): void;
  tick(): void;
  end(reason?: string): void;
}

/**
 * Subscribes `feed` to the topics (the caller has just read the cache, in this same turn: no event
 * falls between the two; one of `replayed` arriving late is not sent again: topics/replayed.ts)
 * with a tick every keepalive_s; a send or tick that throws ends it with the reason. Returns how
 * to end it (the client went: no reason).
 */
export function liveFeed(
  sub: Checked,
  settings: SubscribeSettings,
  deps: SubscribeDeps,
  replayed: readonly TopicEvent[],
  feed: Feed,
): (reason?: string) => void {
  const dropped = (reason: string) => {
    deps.log.info("ntfy subscriber closed", { topics: sub.named, reason });
    stop(reason);
  };
  const send = afterReplay(replayed, (e) => feed.send(e));
  const live = deps.topics.subscribe(sub.topics, (e) => (matches(e, sub.filter) ? send(e) : undefined), dropped);
  deps.open.count++;
  const ticks = setInterval(() => {
    try {
      feed.tick();
    } catch (err) {
      dropped(err instanceof Error ? err.message : String(err));
    }
  }, settings.keepalive_s * 1000);
  const entry = {
    path: deps.route.path,
    auth: deps.route.auth,
    user: sub.user,
    topics: sub.topics,
    end: (reason: string) => dropped(reason),
  };
  deps.streams.add(entry);
  let stopped = false;
  function stop(reason?: string): void {
    if (stopped) return;
    stopped = true;
    deps.streams.delete(entry);
    deps.open.count--;
    clearInterval(ticks);
    live.close();
    feed.end(reason);
  }
  return stop;
}
