/** The subscribe API's paths of a ntfy route with `subscribe:` (paths.ts STREAMS), each in ntfy's error shape. */
import type { FeatureContext } from "../../feature-api.ts";
import type { Authenticator } from "../../auth/types.ts";
import { ntfyRefusal } from "./errors.ts";
import { topicPath } from "./paths.ts";
import type { NtfyRoute } from "./schema.ts";
import type { OpenStreams } from "./open-streams.ts";
import { streamHandler, type SubscribeDeps } from "./subscribe.ts";
import { webSocketHandler } from "./subscribe-ws.ts";
import { accountHandler, topicAuthHandler } from "./subscribe-account.ts";
import type { SubscribeSettings } from "./subscribe-schema.ts";

export function subscribeRoutes(
  route: NtfyRoute,
  settings: SubscribeSettings,
  ctx: FeatureContext,
  auth: Authenticator | undefined,
  streams: OpenStreams,
): void {
  const deps: SubscribeDeps = {
    auth,
    topics: ctx.topics,
    log: ctx.log,
    open: { count: 0 },
    streams,
    route: { path: route.path, auth: route.auth },
  };
  const path = (stream: string) => topicPath(route.path, `:topic/${stream}`);
  for (const kind of ["json", "sse", "raw"] as const)
    ctx.http.add("GET", path(kind), streamHandler(kind, route, settings, deps), { refuse: ntfyRefusal() });
  ctx.http.add("GET", path("ws"), webSocketHandler(route, settings, deps), { refuse: ntfyRefusal() });
  // What Home Assistant asks before it subscribes (subscribe-account.ts).
  ctx.http.add("GET", path("auth"), topicAuthHandler(route, settings, deps), { refuse: ntfyRefusal() });
  ctx.http.add("GET", topicPath(route.path, "v1/account"), accountHandler(deps), { refuse: ntfyRefusal() });
}
