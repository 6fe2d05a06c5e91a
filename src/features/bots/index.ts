/**
 * Config-only bots (`bots:` in routes.yaml): JIDs of the component that answer chat commands and
 * XEP-0050 commands, sit in rooms, run scheduled jobs and watch MQTT topics (watch.ts). start.ts
 * runs them, check.ts compiles them; their rooms and the jobs' last runs are kept in the store
 * under `(bots)`.
 */
import { Type } from "@sinclair/typebox";
import { defineFeature } from "../../feature-api.ts";
import { checkBots } from "./check.ts";
import type { BotConfig } from "./compiled.ts";
import { startJobs, type LastRun } from "./jobs.ts";
import type { InvitedRoom } from "./rooms.ts";
import { BotSchema } from "./schema.ts";
import { startBots } from "./start.ts";
import { startWatches, watchedRuns } from "./watch.ts";

export default defineFeature<readonly BotConfig[]>({
  name: "bots",
  summary: "Chat bots from configuration.",
  section: {
    key: "bots",
    // Each bot is checked by its own schema (check.ts), so that a mistake is located in it.
    schema: Type.Array(Type.Unknown(), {
      default: [],
      description: "Config-only bots: JIDs of the component answering chat commands (docs/bots.md).",
    }),
    check: (raw, c) =>
      checkBots(raw, {
        component: c.xmpp?.component,
        locate: c.locate,
        diagnostics: c.diagnostics,
        warnings: c.warnings,
        claimed: c.claimed,
        attachments: c.attachments,
        mqtt: c.mqtt,
      }),
    entries: (bots) => bots.map((b) => b.jid),
  },
  reference: [{ title: "bots[]", schema: BotSchema }],
  start(ctx) {
    const { config, gateway } = ctx;
    // The bot jobs running now, across generations: a reload never runs one job twice at once.
    const running = gateway.keep(() => new Set<string>());
    const bots = startBots(ctx.part, {
      addBot: (local, handler) => ctx.entity(local, handler),
      send: gateway.deliver,
      fetch: ctx.fetch,
      log: ctx.log,
      metrics: ctx.metrics,
      rooms: ctx.xmpp.rooms,
      invited: ctx.store.keyed<InvitedRoom[]>("rooms"),
      isOnline: gateway.isOnline,
      timeoutMs: config.xmpp.iq_timeout_ms,
      request: (iq) => gateway.request(iq),
      files: ctx.files,
      mqtt: ctx.mqtt,
    });
    let stopJobs: (() => void) | undefined;
    // Jobs that watch a topic subscribe as the generation is built, before the connection starts
    // (mqtt/view.ts): the subscriptions are there from its first message. The next generation opens its own.
    const stopWatches =
      ctx.mqtt &&
      startWatches(ctx.part, {
        mqtt: ctx.mqtt,
        deliver: gateway.deliver,
        log: ctx.log.child({ part: "bot-jobs" }),
        last: watchedRuns(ctx.store.keyed<LastRun>("jobs"), ctx.pluginMetrics),
        metrics: ctx.metrics,
        // A shared subscription (mqtt.share) hands a topic's messages to any replica: read its last run from the store.
        ...(config.mqtt?.share === undefined ? {} : { fresh: (key: string) => ctx.store.keyed<LastRun>("jobs").fresh(key) }),
      });
    const lastRuns = ctx.store.keyed<LastRun>("jobs");
    return {
      ready() {
        stopJobs = startJobs(ctx.part, {
          deliver: gateway.deliver,
          fetch: ctx.fetch,
          log: ctx.log.child({ part: "bot-jobs" }),
          last: lastRuns,
          metrics: ctx.metrics,
          running,
          claim: (key, at, gapMs) => gateway.store.jobs.claim(key, at, gapMs),
          fresh: (key) => lastRuns.fresh(key),
        });
      },
      quiesce: () => stopJobs?.(),
      online: () => bots.online(),
      stop: () => (stopWatches?.(), bots.stop()),
    };
  },
});
