/**
 * `preset: ntfy`: the gateway speaks ntfy's publish API (https://docs.ntfy.sh/publish/), so what
 * ntfy's integrations and Apprise's or Shoutrrr's `ntfy://host/topic` URLs send reaches XMPP
 * unchanged: each topic goes to its JIDs as a chat message; a sequence id corrects (XEP-0308) or
 * withdraws (XEP-0424) an earlier one.
 */
import { defineFeature, defineRouteKind, type FeatureContext } from "../../feature-api.ts";
import type { HttpHandler } from "../../plugin-api/index.ts";
import { formatPorts } from "../../notify/ports.ts";
import { fileBodyLimit } from "../../files/service.ts";
import { formatRooms } from "../../notify/rooms.ts";
import { correctThreads, DEFAULT_THREAD_LIMITS } from "../../store/threads.ts";
import { checkNtfyRoute } from "./check.ts";
import { NTFY, NTFY_ERRORS, ntfyRefusal } from "./errors.ts";
import { ntfyHandlers } from "./handler.ts";
import { ntfyOperation } from "./openapi.ts";
import { servedPaths, topicPath } from "./paths.ts";
import { NtfyRouteSchema, type NtfyRoute } from "./schema.ts";
import { sequences } from "./sequences.ts";
import { topicWriter } from "./writers.ts";
import { roomWriters } from "./room-writers.ts";
import type { Element } from "ltx";
import { subscribeRoutes } from "./subscribe-routes.ts";
import { recheckStreams, type OpenStreams } from "./open-streams.ts";
import example from "./example.yaml" with { type: "text" };

export default defineFeature({
  name: "ntfy",
  summary: "ntfy's publish API: topics to JIDs.",
  errors: { http: NTFY_ERRORS },
  routeKinds: [
    defineRouteKind<NtfyRoute>({
      kind: "ntfy",
      key: "preset",
      value: "ntfy",
      example,
      schema: NtfyRouteSchema,
      title: "routes[] with preset: ntfy",
      check: checkNtfyRoute,
      // A topic named as another route's first segment is theirs (a mistyped webhook URL is never a topic).
      catchAll: true,
      label: (route) => `ntfy ${route.path}`,
      serves: (route, r) =>
        servedPaths(route.path, route.subscribe !== undefined).some((s) => s.method === r.method && s.path === r.path)
          ? r.path.length
          : undefined,
      operation: (route, served) => ntfyOperation(route, served),
    }),
  ],
  async start(ctx) {
    // What the previous generation hands over: its rooms' seats and the subscribe API's open streams.
    const previous = ctx.previous as Handover | undefined;
    const rooms = await formatRooms({ ...ctx, previous: previous?.rooms }, "ntfy", ["ntfy"]);
    const streams: OpenStreams = previous?.streams ?? new Set();
    const ntfyRoutes = ctx.routes.filter((r) => r.kind === "ntfy") as NtfyRoute[];
    const subscribing = ntfyRoutes.some((r) => r.subscribe !== undefined);
    const writers = roomWriters(
      ctx.routes.flatMap((r) =>
        r.kind === "ntfy" ? Object.entries((r as NtfyRoute).writerRooms).map(([topic, w]) => ({ topic, ...w })) : [],
      ),
      {
        rooms: ctx.xmpp.rooms,
        component: ctx.config.xmpp.component,
        publish: (event) => ctx.topics.publish(event),
        isOnline: ctx.gateway.isOnline,
        timeoutMs: ctx.config.xmpp.iq_timeout_ms,
        log: ctx.log.child({ part: "topic rooms" }),
      },
    );
    return {
      ...rooms.runtime,
      // The topics' rooms are entered once the generation is built, and again after each reconnect.
      // Streams opened before a reload go on only where the new routes would let them in.
      ready() {
        recheckStreams(streams, ntfyRoutes);
        writers.start();
      },
      handover: (): Handover => ({ rooms: rooms.runtime.handover?.(), streams }),
      online() {
        rooms.runtime.online?.();
        writers.online();
      },
      stop: () => writers.stop(),
      // /health's figures of the subscribe API, where a route serves it.
      health: () => (subscribing ? [{ name: "ntfy topics", ...ctx.topics.stats() }] : []),
      // Nothing runs by itself: a route's handlers end with its generation.
      route(base): undefined {
        const route = base as NtfyRoute;
        const ports = formatPorts(route, ctx, rooms.port(route));
        const handlers = ntfyHandlers(route, {
          auth: ports.auth,
          notify: ports,
          sequences: sequences(threadStore(route, ctx)),
          ttlS: DEFAULT_THREAD_LIMITS.ttlS,
          claimed: (topic) => ctx.http.claims(topicPath(route.path, topic), topicPath(route.path, ":topic")),
          files: ports.files,
          // A topic with an address speaks from it: a reply a person sends goes back to the topic.
          fromOf: (topic) => route.addresses[topic]?.jid,
          topics: ctx.topics,
          failed: (op, err) => ctx.gateway.storeFailed(op, err),
          notRetracted: notRetracted(route, ctx),
        });
        writeToTopics(route, ctx);
        // A file body may be as large as attachments.max_file_bytes, where attachments are on.
        const fileBody = ctx.files ? { maxBodyBytes: fileBodyLimit(ctx.files.settings) } : {};
        if (route.subscribe) subscribeRoutes(route, route.subscribe, ctx, ports.auth, streams);
        for (const { method, path } of servedPaths(route.path)) {
          const byMethod: Record<string, HttpHandler> = { GET: handlers.get, DELETE: handlers.withdraw };
          const handler = byMethod[method] ?? (path === route.path ? handlers.json : handlers.topic);
          // A body too large for the front door is what ntfy says of one too large for that request.
          const topicTooLarge = ctx.files ? NTFY.attachmentTooLarge : NTFY.attachmentsDisallowed;
          const tooLarge = handler === handlers.json ? NTFY.jsonTooLarge : handler === handlers.topic ? topicTooLarge : undefined;
          ctx.http.add(method, path, handler, { refuse: ntfyRefusal(tooLarge), ...(handler === handlers.topic ? fileBody : {}) });
        }
      },
    };
  },
});

interface Handover {
  rooms: unknown;
  streams: OpenStreams;
}

/** Each topic's address takes what people write to it (writers.ts); a stanza error goes out at once, never queued. */
function writeToTopics(route: NtfyRoute, ctx: FeatureContext): void {
  const deps = {
    publish: (event: Parameters<typeof ctx.topics.publish>[0]) => ctx.topics.publish(event),
    reply: (stanza: Element) => void ctx.xmpp.send(stanza).catch(() => {}),
    // The topic's cache is its memory of who started a sequence: what it let go is no longer theirs to change.
    origin: async (topic: string, sequence: string) =>
      (await ctx.topics.cached([topic], "all")).find((e) => e.event === "message" && e.sequence_id === sequence)?.source,
    log: ctx.log,
  };
  for (const [topic, address] of Object.entries(route.addresses))
    ctx.xmpp.onStanza(topicWriter(topic, address, deps), { localParts: [address.local] });
}

/** A DELETE of a sequence another replica began: said in the log and counted (handler.ts `withdraw`). */
function notRetracted(route: NtfyRoute, ctx: FeatureContext) {
  const skipped = ctx.pluginMetrics("ntfy").counter({
    name: "retractions_skipped_total",
    help: "ntfy DELETEs of a sequence another replica began: forgotten, not withdrawn (XEP-0424 §6 takes a retraction from the original sender only).",
  });
  return (topic: string, from: string) => {
    skipped.inc();
    ctx.log.warn(
      "ntfy DELETE of a sequence another replica began: forgotten, not withdrawn (XEP-0424 takes a retraction from its sender only)",
      {
        route: `ntfy ${route.path}`,
        topic,
        sender: from,
      },
    );
  };
}

/** The route's sequence ids, bounded and expiring (store/threads.ts); a failed write is reported, not hidden. */
function threadStore(route: NtfyRoute, ctx: FeatureContext) {
  const namespace = `ntfy ${route.path}`;
  return correctThreads(ctx.gateway.store, {
    route: namespace,
    limits: DEFAULT_THREAD_LIMITS,
    failed(op, err) {
      ctx.gateway.storeFailed(op, err);
      ctx.log.warn("a ntfy sequence id could not be saved; its next update starts a new message", {
        route: namespace,
        op,
        err: err instanceof Error ? err.message : String(err),
      });
    },
  });
}
