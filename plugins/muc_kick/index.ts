/**
 * muc_kick: mod_http_muc_kick on any XEP-0045 service. `POST {nickname, muc, reason}` kicks an
 * occupant; the gateway joins the room as a moderator (its domain must be an admin or owner
 * there), sends the §8.2 kick and leaves. `action: ban` makes a route that bans (§9.1) instead.
 */
import { definePlugin } from "../../src/plugin-api/index.ts";
import { MucKickOptionsSchema, type MucKickOptions } from "./options.ts";
import { createLocator } from "./locate.ts";
import { ban, kick, type ActionDeps } from "./actions.ts";
import { mucKickHandler } from "./handler.ts";

export default definePlugin({
  name: "muc_kick",
  summary: "Kick (or ban) a MUC occupant over HTTP, as mod_http_muc_kick did",
  options: MucKickOptionsSchema,
  defaultPath: "/muc_kick",
  // mod_http_muc_kick refuses to load without http_muc_kick_authorization_header.
  requiresAuth: true,
  stanzas: (options, route, xmpp) => [
    {
      claim: { address: occupantJid(xmpp.component, options, route.path) },
      path: options.resource === undefined ? ["path"] : ["options", "resource"],
    },
  ],
  setup(ctx) {
    const { options, xmpp } = ctx;
    const auth = ctx.route.auth;
    // Never true: requiresAuth makes the config load refuse this route without auth. The check
    // only narrows `Authenticator | undefined` for TypeScript, which cannot see that rule.
    if (!auth) throw new Error(`${ctx.route.at}: muc_kick needs an auth scheme`);
    const from = occupantJid(xmpp.component, options, ctx.route.path);
    // The engine holds the seats (one per room, shared with routes posting to the room) and
    // takes the room traffic addressed to this occupant JID, so that a component_http route
    // serving every JID of the component cannot take (and answer) it first.
    xmpp.rooms.occupant({
      from,
      nick: options.nick,
      password: passwordLookup(options),
      timeoutMs: options.timeout_ms,
      lingerMs: options.linger_ms,
      maxLingering: options.max_lingering_rooms,
      log: ctx.log,
    });
    const request = (iq: Parameters<typeof xmpp.request>[0], timeoutMs?: number) => xmpp.request(iq, timeoutMs);
    const actionDeps: ActionDeps = {
      request,
      acquire: (room) => xmpp.rooms.enter(room, { as: from }),
      from,
      timeoutMs: options.timeout_ms,
    };
    const perform = options.action === "ban" ? ban : kick;
    ctx.http.add(
      "POST",
      ctx.route.path,
      mucKickHandler({
        auth,
        action: options.action,
        locate: createLocator({ request, from, component: xmpp.component, timeoutMs: options.timeout_ms }),
        perform: (req, room) => perform(actionDeps, req, room),
        isJoined: (room) => xmpp.rooms.isJoined(room),
        isOnline: () => xmpp.isOnline(),
        log: ctx.log,
      }),
    );
    return {};
  },
});

/** XEP-0045 §7.2.6: the room's password, looked up case-insensitively by room JID. */
function passwordLookup(options: MucKickOptions): (room: string) => string | undefined {
  const byRoom = new Map(Object.entries(options.passwords).map(([room, pw]) => [room.toLowerCase(), pw]));
  return (room) => byRoom.get(room) ?? options.default_password;
}

/** The gateway's own full JID in rooms, which this route's stanza handler owns. */
function occupantJid(component: string, options: MucKickOptions, path: string): string {
  return `${component}/${options.resource ?? resourceFromPath(path)}`;
}

/** `/muc_kick` -> `muc_kick`: routes have distinct paths, so their occupant JIDs differ too. */
export function resourceFromPath(path: string): string {
  return path.replace(/^\//, "").replace(/[^A-Za-z0-9_.-]+/g, "-") || "muc_kick";
}
