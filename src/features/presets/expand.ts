/**
 * `preset: NAME` on a route: the preset's YAML (*.yaml beside this file) with the user's `path`,
 * `auth`, `name` and `to` put in, checked as the ordinary declarative route it then is. A problem
 * inside the preset itself (none should exist: the tests render every one) is reported at the
 * user's `preset:` key, since that is the only place in their file it can point to.
 */
import { Type } from "@sinclair/typebox";
import { parse } from "yaml";
import { checkRecipients, RecipientsSchema, type RouteRoomEntries } from "../../config/route-recipients.ts";
import { Closed } from "../../config/schema.ts";
import { checkSchema } from "../../config/check-schema.ts";
import { didYouMean } from "../../config/suggest.ts";
import type { Diagnostic, PathSegments, SourceLocator } from "../../config/diagnostics.ts";
import type { RouteBase, RouteChecks } from "../../feature-api.ts";
import { presetRooms } from "./rooms.ts";
import { PRESETS, PRESET_NAMES, RECIPIENTS } from "./sources.ts";

export const PresetRouteSchema = Closed({
  preset: Type.String({
    description: `A built-in route for a well-known webhook source: ${PRESET_NAMES.join(", ")} (\`stanzagate preset NAME\` prints it).`,
  }),
  to: RecipientsSchema,
  path: Type.Optional(Type.String({ pattern: "^/", description: "The HTTP path (default: the preset's, e.g. /alertmanager)." })),
  auth: Type.Optional(
    Type.String({ description: "The name of an auth scheme from `auth:` (docs/presets.md says which kind each source can use)." }),
  ),
  name: Type.Optional(Type.String({ description: "Shown in logs; defaults to the preset's name." })),
});

/** The keys the user wrote keep their own place in diagnostics; everything else is the preset's. */
const USER_KEYS = new Set(["path", "auth", "name"]);

/** The preset as the declarative route it is, checked as any entry without `preset:` (RouteChecks.checkRoute). */
export function checkPresetRoute(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): RouteBase | undefined {
  const keys = checkSchema(PresetRouteSchema, raw, at, c.locate, c.diagnostics);
  const name = raw.preset;
  const source = typeof name === "string" ? PRESETS[name] : undefined;
  if (typeof name === "string" && source === undefined) {
    // Formats written in code (preset: ntfy) are presets to the user too.
    const known = [...PRESET_NAMES, ...c.selectable("preset")];
    c.diagnostics.push(c.locate.at([...at, "preset"], `no preset named "${name}"${didYouMean(name, known)} (known: ${known.join(", ")})`));
  }
  const rooms: RouteRoomEntries = {};
  const to = recipients(raw.to, at, c, rooms);
  if (!keys || source === undefined || !to) return undefined;
  const route = { ...(parse(source) as Record<string, unknown>), ...pick(raw, ["path", "auth", "name"]) };
  if (typeof route.send === "string") {
    const groupchat = presetRooms(
      route.send.replace(RECIPIENTS, (_m, a: string, b: string) => `${a}"${to.join(" ")}"${b}`),
      rooms,
      at,
      c,
    );
    if (!groupchat) return undefined;
    Object.assign(route, groupchat);
  }
  return c.checkRoute(route, at, { ...c, locate: presetLocator(c.locate, at, name as string) });
}

/** Each address must be a JID or a room, and the preset's template splits the list on spaces (no JID holds one outside a resource). */
function recipients(raw: unknown, at: PathSegments, c: RouteChecks, rooms: RouteRoomEntries): string[] | undefined {
  const list = checkRecipients(raw, at, c, rooms);
  const bad = list?.findIndex((j) => /[\s"]/.test(j)) ?? -1;
  if (bad !== -1)
    c.diagnostics.push(
      c.locate.at(
        Array.isArray(raw) ? [...at, "to", bad] : [...at, "to"],
        `${JSON.stringify(list?.[bad])} is not a JID (without spaces or quotes)`,
      ),
    );
  return bad === -1 ? list : undefined;
}

function presetLocator(locate: SourceLocator, at: PathSegments, name: string): SourceLocator {
  const place = (path: PathSegments): [PathSegments, string] => {
    const key = path[at.length];
    return typeof key === "string" && USER_KEYS.has(key) ? [path, ""] : [[...at, "preset"], `preset ${name}: `];
  };
  const mapped = Object.create(locate) as SourceLocator;
  mapped.at = (path, message, options): Diagnostic => {
    const [where, prefix] = place(path);
    return locate.at(where, prefix + message, where === path ? options : {});
  };
  mapped.inValue = (path, message): Diagnostic => {
    const [where, prefix] = place(path);
    return locate.at(where, prefix + message);
  };
  return mapped;
}

function pick(raw: Record<string, unknown>, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((n) => raw[n] !== undefined).map((n) => [n, raw[n]]));
}
