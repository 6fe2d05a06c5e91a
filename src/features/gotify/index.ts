/**
 * `preset: gotify` routes: a Gotify server's message API, for the tools that push to Gotify
 * (apprise gotify://, Uptime Kuma, Proxmox, Healthchecks, curl). Each message becomes a chat
 * message to the route's recipients; DELETE withdraws it (XEP-0424). docs/formats.md, ## Gotify.
 */
import { formatPorts } from "../../notify/ports.ts";
import { defineFeature, defineRouteKind, type FeatureContext } from "../../feature-api.ts";
import { featureStoreName } from "../../store/plugin-store.ts";
import { formatRooms, type GroupchatPort } from "../../notify/rooms.ts";
import { checkGotifyRoute } from "./check.ts";
import { GOTIFY_ERRORS, gotifyError, gotifyPageNotFound } from "./errors.ts";
import { createMessageHandler, deleteMessageHandler, type GotifyDeps } from "./handler.ts";
import { gotifyMessages } from "./messages.ts";
import { gotifyOperation } from "./openapi.ts";
import { deletePath, GotifyRouteSchema, messagePath, type GotifyRoute } from "./schema.ts";
import example from "./example.yaml" with { type: "text" };

export default defineFeature({
  name: "gotify",
  summary: "Gotify's message API (POST /message, DELETE /message/<id>) as chat messages.",
  errors: { http: GOTIFY_ERRORS },
  routeKinds: [
    defineRouteKind<GotifyRoute>({
      kind: "gotify",
      key: "preset",
      value: "gotify",
      example,
      schema: GotifyRouteSchema,
      title: "routes[] with preset: gotify",
      check: checkGotifyRoute,
      label: (route) => `gotify ${messagePath(route)}`,
      serves: (route, r) => (r.path === messagePath(route) || r.path === deletePath(route) ? Number.MAX_SAFE_INTEGER : undefined),
      operation: (route, served) => gotifyOperation(route, served),
    }),
  ],
  async start(ctx) {
    const rooms = await formatRooms(ctx, "gotify", ["gotify"]);
    return {
      ...rooms.runtime,
      route(base) {
        const route = base as GotifyRoute;
        const deps = depsOf(route, ctx, rooms.port(route));
        ctx.http.add("POST", messagePath(route), createMessageHandler(route, deps), { refuse: gotifyError });
        ctx.http.add("DELETE", deletePath(route), deleteMessageHandler(route, deps), { refuse: gotifyError });
        ctx.http.unknown(route.path, gotifyPageNotFound);
        return undefined;
      },
    };
  },
});

function depsOf(route: GotifyRoute, ctx: FeatureContext, groupchat: GroupchatPort | undefined): GotifyDeps {
  const auth = ctx.authenticators.get(route.auth);
  // check refuses a route without a bearer scheme: none here is a fault of the gateway.
  if (!auth) throw new Error(`${route.at}: no authenticator for the auth scheme "${route.auth}"`);
  const failed = (op: string, err: unknown) => {
    ctx.gateway.storeFailed(op, err);
    ctx.log.warn("the gotify route could not write its store", {
      route: route.at,
      op,
      err: err instanceof Error ? err.message : String(err),
    });
  };
  const skipped = ctx.pluginMetrics("gotify").counter({
    name: "retractions_skipped_total",
    help: "Gotify DELETEs of a message another replica sent: forgotten, not withdrawn (XEP-0424 §6 takes a retraction from the original sender only).",
  });
  return {
    ...formatPorts(route, ctx, groupchat),
    auth,
    messages: gotifyMessages({
      store: ctx.gateway.store,
      counter: { plugin: featureStoreName("gotify"), collection: "message-ids", key: "last" },
      route: `POST ${messagePath(route)}`,
      failed,
    }),
    appId: appIds(ctx.auth[route.auth]),
    now: () => new Date(),
    notRetracted: (from) => {
      skipped.inc();
      ctx.log.warn(
        "gotify DELETE of a message another replica sent: forgotten, not withdrawn (XEP-0424 takes a retraction from its sender only)",
        {
          route: route.at,
          sender: from,
        },
      );
    },
    unsaved: (err) =>
      ctx.log.warn("a gotify message was sent but not remembered: DELETE cannot withdraw it", {
        route: route.at,
        err: err instanceof Error ? err.message : String(err),
      }),
  };
}

/** Gotify numbers applications from 1; here each token of the scheme is one, in file order. */
function appIds(scheme: unknown): (holder: string) => number {
  const tokens = (scheme as { tokens?: ReadonlyArray<{ name?: unknown }> } | undefined)?.tokens ?? [];
  const names = tokens.map((t) => t.name);
  return (holder) => names.indexOf(holder) + 1;
}
