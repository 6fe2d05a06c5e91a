/**
 * roster_admin: users' rosters come from a web app (mod_http_roster_admin), written on the server
 * through XEP-0356 roster permission "both", synced at login and on the web app's refresh calls.
 */
import { Type } from "@sinclair/typebox";
import { definePlugin, type Element, type OptionProblem, type PluginContext, type XmppPort } from "../../src/plugin-api/index.ts";
import { isServer } from "../../src/kit/server-software.ts";
import { parseJid } from "../../src/kit/jid.ts";
import { fetchContacts } from "./contacts.ts";
import { refreshMany, refreshOne } from "./http.ts";
import { createLoginWatcher } from "./logins.ts";
import { ReplyCollector } from "./replies.ts";
import { rosterPushAck } from "./roster-iq.ts";
import { createScheduler } from "./scheduler.ts";
import { SNAPSHOT_MIGRATIONS, createSnapshotStore } from "./snapshots.ts";
import { ROSTER_ADMIN_ERRORS, SyncError } from "./sync-error.ts";
import { syncUser, type SyncDeps, type SyncMode } from "./sync.ts";
import { createWriteHealth, type WriteHealth } from "./write-health.ts";

export const RosterAdminOptionsSchema = Type.Object(
  {
    roster_url: Type.String({
      pattern: "^https?://",
      description:
        "The web app's contacts URL (the module's `http_roster_url`), `http(s)://…` containing `%s`. Every `%s` becomes the URL-encoded username. `check` refuses a URL without `%s`.",
    }),
    concurrency: Type.Integer({
      minimum: 1,
      maximum: 256,
      default: 16,
      description: "How many users are synced at the same time, across refreshes and logins. A user is never synced twice at once.",
    }),
    timeout_ms: Type.Integer({
      minimum: 100,
      default: 10_000,
      description: "How long to wait for the web app. Past it, that user's sync fails.",
    }),
    max_answer_bytes: Type.Integer({
      minimum: 1,
      default: 4_194_304,
      description:
        "The largest web app answer read (default 4 MiB). Reading stops as soon as an answer passes it (declared `Content-Length` or bytes received), and that user's sync fails. 4 MiB holds tens of thousands of contacts.",
    }),
    xmpp_timeout_ms: Type.Integer({
      minimum: 100,
      default: 10_000,
      description: "How long to wait for the XMPP server's answer to a roster get or set.",
    }),
    items_per_set: Type.Union([Type.Literal("auto"), Type.Integer({ minimum: 1, maximum: 100 })], {
      default: "auto",
      description:
        'Roster items per roster set. RFC 6121 §2.1.5 allows one, and ejabberd refuses more with `bad-request`; Prosody\'s mod_privilege takes up to 100. `auto`: 100 on a server that names itself Prosody (XEP-0092 or disco#info, learned at each connect), else 1. A number forces it (see "Servers").',
    }),
    exclusive: Type.Boolean({
      default: false,
      description:
        '`true`: the web app owns the **whole** roster. Items it does not list are removed even if the user added them, as in the original. `false`: only contacts the gateway set are removed (see "Who owns which item").',
    }),
    sync_on_login: Type.Boolean({
      default: true,
      description: "Sync a user when their first resource comes online. This needs presence permission `managed_entity`.",
    }),
  },
  { additionalProperties: false },
);

type Options = typeof RosterAdminOptionsSchema.static;

export default definePlugin({
  name: "roster_admin",
  summary: "Rosters from a web app, written through XEP-0356 (mod_http_roster_admin)",
  options: RosterAdminOptionsSchema,
  defaultPath: "/roster_admin",
  errors: { http: ROSTER_ADMIN_ERRORS },
  migrations: SNAPSHOT_MIGRATIONS,
  privileges: (options) => [
    { access: "roster", types: ["both"], without: "refreshes will answer 503 until the server grants it", fields: { hint: SETUP_HINT } },
    ...(options.sync_on_login
      ? [
          {
            access: "presence" as const,
            types: ["managed_entity", "roster"],
            without: "rosters are synced on refresh only, not when users log in",
            fields: { hint: SETUP_HINT },
          },
        ]
      : []),
  ],
  validate(options): OptionProblem[] {
    if (options.roster_url.includes("%s")) return [];
    return [
      { path: ["options", "roster_url"], message: "must contain %s, the place of the username (e.g. http://app.example/contacts/%s)" },
    ];
  },
  setup(ctx) {
    const writes = createWriteHealth();
    const deps = syncDeps(ctx, writes);
    const scheduler = createScheduler(ctx.options.concurrency);
    const synced = ctx.metrics.counter({
      name: "syncs_total",
      help: "Roster syncs by trigger (login, refresh) and result (ok, failed).",
      labels: ["mode", "result"],
    });
    const sync = (username: string, mode: SyncMode) =>
      scheduler
        .run(username, () => syncUser(username, mode, deps))
        .then(
          (changes) => (synced.inc({ mode, result: "ok" }), changes),
          (err: unknown) => {
            synced.inc({ mode, result: "failed" });
            throw err;
          },
        );
    const refresh = async (name: string) => sync(validUsername(name, ctx.xmpp.host), "refresh");
    const listening = listenToServer(ctx, deps, sync);
    const base = ctx.route.path.replace(/\/$/, "");
    ctx.http.add("POST", `${base}/refresh`, refreshMany({ route: ctx.route, xmpp: ctx.xmpp, refresh }));
    ctx.http.add("GET", `${base}/refresh/:username`, refreshOne({ route: ctx.route, xmpp: ctx.xmpp, refresh }));
    if (!ctx.route.auth)
      ctx.log.warn("the refresh endpoints have no auth: anyone who reaches them can make the gateway call the web app; add auth: <scheme>");
    return {
      health: () => ({ ...writes.report(), items_per_set: deps.itemsPerSet() }),
      async stop() {
        listening.stop();
        await scheduler.idle(5_000);
      },
    };
  },
});

/** What the server sends the component: answers to roster sets, users' presences, roster pushes. */
function listenToServer(ctx: PluginContext<Options>, deps: SyncDeps, sync: (username: string, mode: SyncMode) => Promise<number>) {
  let stopped = false;
  const logins = createLoginWatcher(ctx.xmpp.host, ctx.xmpp.component, (username) => {
    if (stopped || !ctx.options.sync_on_login || ctx.xmpp.privileges().roster !== "both") return;
    sync(username, "login").catch((err: Error) => ctx.log.warn("roster sync at login failed", { user: username, err: err.message }));
  });
  const ackPush = (stanza: Element) => {
    const ack = rosterPushAck(stanza, ctx.xmpp.host);
    if (ack) ctx.xmpp.send(ack).catch(() => {});
    return ack !== undefined;
  };
  // Logins are observed, not taken: seen whatever the order of the routes, and left to the engine
  // (component_http routes serving the domain decline them too).
  ctx.xmpp.observe((stanza) => void logins.take(stanza));
  // Answers to this plugin's roster sets and the pushes it asked for: taken before any catch-all
  // component_http route could forward them to its webhook.
  ctx.xmpp.onStanza((stanza) => deps.replies.take(stanza) || ackPush(stanza), { answers: true });
  ctx.xmpp.on("offline", () => {
    deps.replies.cancelAll(new SyncError("LINK_DOWN", "the XMPP link went down"));
    logins.reset();
  });
  return { stop: () => void (stopped = true) };
}

function syncDeps(ctx: PluginContext<Options>, writes: WriteHealth): SyncDeps {
  const fetchDeps = {
    fetch: ctx.fetch,
    urlTemplate: ctx.options.roster_url,
    timeoutMs: ctx.options.timeout_ms,
    maxBytes: ctx.options.max_answer_bytes,
    log: ctx.log,
  };
  return {
    xmpp: ctx.xmpp,
    snapshots: createSnapshotStore(ctx.store),
    replies: new ReplyCollector(),
    fetchContacts: (username, owner) => fetchContacts(username, owner, fetchDeps),
    exclusive: ctx.options.exclusive,
    xmppTimeoutMs: ctx.options.xmpp_timeout_ms,
    itemsPerSet: itemsPerSet(ctx.options.items_per_set, ctx.xmpp),
    writes,
    log: ctx.log,
  };
}

/** Prosody's mod_privilege takes many items per set and answers each (roster-iq.ts); others one. */
const PROSODY_ITEMS_PER_SET = 100;

/** `auto` is decided at each sync: the server is learned anew at each connect. */
function itemsPerSet(option: number | "auto", xmpp: XmppPort): () => number {
  return () => (option !== "auto" ? option : isServer(xmpp.serverSoftware(), "prosody") ? PROSODY_ITEMS_PER_SET : 1);
}

/** A username as the server knows it (RFC 7622 §3.3: case-folded localpart), or a 400 SyncError. */
function validUsername(name: string, host: string): string {
  const username = name.normalize("NFKC").toLowerCase();
  const jid = parseJid(`${username}@${host}`);
  if (!jid || jid.local !== username || jid.resource !== "")
    throw new SyncError("BAD_REQUEST", `not a valid username: ${JSON.stringify(name)}`);
  return username;
}

/** What the host's missing-permission warnings (the `privileges` declaration) tell the operator. */
export const SETUP_HINT =
  'Prosody: modules_enabled = { "privilege" } on the VirtualHost and the Component, and privileged_entities = { ["<component>"] = { roster = "both", presence = "managed_entity" } }';
