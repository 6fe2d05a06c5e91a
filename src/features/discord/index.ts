/**
 * `preset: discord`: Discord's execute-webhook format, so that a tool configured for a Discord
 * webhook (Grafana, Alertmanager's discord_configs, Uptime Kuma, GitLab) posts to Stanzagate
 * unchanged and its messages reach XMPP recipients; edits and deletions become corrections
 * (XEP-0308) and retractions (XEP-0424) of what they saw.
 */
import { createHash } from "node:crypto";
import { formatPorts } from "../../notify/ports.ts";
import { defineFeature, defineRouteKind, type FeatureContext } from "../../feature-api.ts";
import { correctThreads, DEFAULT_THREAD_LIMITS } from "../../store/threads.ts";
import { formatRooms, type GroupchatPort } from "../../notify/rooms.ts";
import { DISCORD_ERRORS } from "./errors.ts";
import { discordHandlers } from "./handlers.ts";
import { snowflakes, webhookIdentity } from "./objects.ts";
import { featureStoreName } from "../../store/plugin-store.ts";
import type { Store } from "../../store/types.ts";
import { discordOperation } from "./openapi.ts";
import { checkDiscordRoute, discordLabel, DiscordRouteSchema, hookPattern, messagePattern, type DiscordRoute } from "./route.ts";
import { DiscordHooks } from "./hooks.ts";
import { fileBodyLimit } from "../../files/service.ts";
import { sentMessages } from "./sent.ts";
import example from "./example.yaml" with { type: "text" };

export default defineFeature({
  name: "discord",
  summary: "Discord's execute-webhook format: messages, edits and deletions.",
  errors: { http: DISCORD_ERRORS },
  routeKinds: [
    defineRouteKind<DiscordRoute>({
      kind: "discord",
      key: "preset",
      value: "discord",
      example,
      schema: DiscordRouteSchema,
      title: "routes[] with preset: discord",
      check: checkDiscordRoute,
      label: discordLabel,
      serves: (route, r) =>
        r.path === hookPattern(route.prefix) || r.path === messagePattern(route.prefix) ? Number.MAX_SAFE_INTEGER : undefined,
      operation: (route, served) => discordOperation(route, served),
      // The token is a parameter of every registered path: logs and metrics hide it, /openapi.json names it {token}.
      secretPath: true,
    }),
  ],
  async start(ctx) {
    // Snowflakes stay unique across reloads: one sequence for the gateway's life, begun by the
    // first configuration with a discord route (a gateway without one takes no worker number).
    const kept = ctx.gateway.keep((): { snowflake?: Promise<() => string> } => ({}));
    if (ctx.routes.some((r) => r.kind === "discord"))
      kept.snowflake ??= workerId(ctx.gateway.store).then((worker) => snowflakes(Date.now, worker));
    const snowflake = (await kept.snowflake) ?? snowflakes();
    // The request's files together may be as large as attachments.max_file_bytes (its fields stay within http.max_body_bytes).
    const hooks = new DiscordHooks(ctx.http, ctx.files ? { maxBodyBytes: fileBodyLimit(ctx.files.settings) } : {});
    const rooms = await formatRooms(ctx, "discord", ["discord"]);
    return {
      ...rooms.runtime,
      route(base) {
        const route = base as DiscordRoute;
        hooks.add(route.prefix, route.token, discordHandlers(route, depsOf(route, snowflake, ctx, rooms.port(route))));
        // Nothing runs between requests: no stop.
        return undefined;
      },
    };
  },
});

function depsOf(route: DiscordRoute, snowflake: () => string, ctx: FeatureContext, groupchat: GroupchatPort | undefined) {
  // The store bounds each webhook's messages apart; the metric's label must not carry the secret.
  const namespace = `${discordLabel(route)} ${createHash("sha256").update(route.path).digest("hex").slice(0, 12)}`;
  const failed = (op: string, err: unknown) => {
    ctx.gateway.storeFailed(op, err);
    ctx.metrics.correctStoreFailure(namespace);
  };
  const { auth, maxBodyBytes, files, ...notify } = formatPorts(route, ctx, groupchat);
  const skipped = ctx.pluginMetrics("discord").counter({
    name: "retractions_skipped_total",
    help: "Discord DELETEs of a message another replica sent: forgotten, not withdrawn (XEP-0424 §6 takes a retraction from the original sender only).",
  });
  return {
    auth,
    notify,
    maxBodyBytes,
    files,
    sent: sentMessages(correctThreads(ctx.gateway.store, { route: namespace, limits: DEFAULT_THREAD_LIMITS, failed }), namespace),
    hook: webhookIdentity(route.path),
    snowflake,
    now: () => new Date(),
    unsaved: (id: string, err: unknown) =>
      ctx.log.warn("a discord message was sent but not remembered: it cannot be edited or deleted", {
        route: discordLabel(route),
        message_id: id,
        err: err instanceof Error ? err.message : String(err),
      }),
    notRetracted: (id: string, from: string) => {
      skipped.inc();
      ctx.log.warn(
        "discord DELETE of a message another replica sent: forgotten, not withdrawn (XEP-0424 takes a retraction from its sender only)",
        {
          route: discordLabel(route),
          message_id: id,
          sender: from,
        },
      );
    },
  };
}

/**
 * This process's snowflake worker: the store's counter of starts, so replicas sharing a store
 * never mint the same id in the same millisecond (issue 26; 1,024 starts apart at the least).
 * A store that cannot count gives a random one, as before.
 */
async function workerId(store: Store): Promise<number | undefined> {
  try {
    return (await store.keyed.increment({ plugin: featureStoreName("discord"), collection: "snowflakes", key: "workers" })) % 1024;
  } catch {
    return undefined;
  }
}
