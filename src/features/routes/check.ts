/**
 * A declarative routes[] entry: its keys, body spec, templates, condition, iq keys and `correct:`.
 * Every part is checked even when another part is wrong, so one run of `check` lists every mistake.
 */
import { isRecord } from "../../kit/bounded.ts";
import { Type } from "@sinclair/typebox";
import { Closed } from "../../config/schema.ts";
import { DeclarativeRouteSchema } from "./schema.ts";
import type { PathSegments } from "../../config/diagnostics.ts";
import { checkSchema } from "../../config/check-schema.ts";
import { checkBody } from "./check-body.ts";
import { checkCondition, checkCorrection, checkTemplate, type RouteShape } from "./check-template.ts";
import { checkIqKeys, isIqRequestTemplate } from "./check-iq.ts";
import type { CompiledTemplate } from "../../templates/template.ts";
import type { RouteChecks } from "../../feature-api.ts";
import { checkAuthRef, checkDuplicate, routeLabel, validPath } from "../../config/route-checks.ts";
import type { DeclarativeRouteConfig } from "./types.ts";
import { checkPublish } from "./publish.ts";

/** The route's own keys; `body`, `send` and `when` are checked by their own functions below. */
const DeclarativeKeysSchema = Closed({
  ...DeclarativeRouteSchema.properties,
  body: Type.Optional(Type.Unknown()),
  send: Type.Optional(Type.Unknown()),
  when: Type.Optional(Type.Unknown()),
});

export function checkDeclarativeRoute(raw: Record<string, unknown>, at: PathSegments, c: RouteChecks): DeclarativeRouteConfig | undefined {
  const keys = checkSchema(DeclarativeKeysSchema, raw, at, c.locate, c.diagnostics);
  const path = validPath(raw.path);
  const method = typeof raw.method === "string" ? raw.method : "POST";
  checkAuthRef(raw.auth, at, c);
  const open = raw.additional_properties === true;
  const body = raw.body === undefined ? undefined : checkBody(raw.body, [...at, "body"], c.locate, c.diagnostics, open);
  const bodyFields = isRecord(raw.body) && !open ? Object.keys(raw.body) : undefined;
  const shape = { path, method, bodyFields };
  const publish = raw.publish === undefined ? undefined : checkPublish(raw, at, shape, c);
  const templates = raw.publish === undefined ? checkSends(raw.send, at, shape, c) : [];
  const when = typeof raw.when === "string" ? checkCondition(raw.when, [...at, "when"], shape, c.locate, c.diagnostics) : undefined;
  if (path) checkDuplicate(`${method} ${path}`, path, at, c);
  const respond = checkIqKeys(raw, at, path, c);
  const attach = keys?.attach === undefined ? undefined : checkAttach(keys.attach, method, isIqRequestTemplate(raw.send), at, c);
  const correct = keys?.correct
    ? checkCorrection(`${method} ${path}`, keys.correct, [...at, "correct"], shape, c.locate, c.diagnostics)
    : undefined;
  if (
    !keys ||
    !templates ||
    (raw.publish !== undefined && !publish) ||
    (raw.body !== undefined && body === undefined) ||
    (raw.when !== undefined && !when) ||
    (keys.correct && !correct) ||
    attach === null
  )
    return undefined;
  return {
    kind: "declarative",
    at: routeLabel(at),
    name: keys.name ?? `${keys.method} ${keys.path}`,
    method: keys.method,
    path: keys.path,
    auth: keys.auth,
    body: body ?? undefined,
    templates,
    when,
    strict: keys.strict ?? false,
    maxStanzas: keys.max_stanzas ?? 50,
    iq: isIqRequestTemplate(raw.send),
    timeoutMs: keys.timeout_ms,
    respond,
    correct,
    rooms: { nick: keys.nick, password: roomPasswords(keys.rooms, keys.room_password) },
    attach: attach ?? undefined,
    ...(publish ? { publish } : {}),
  };
}

/** `attach:` as a list; null (after saying why) where the route cannot send files. */
function checkAttach(attach: string | string[], method: string, iq: boolean, at: PathSegments, c: RouteChecks): string[] | null {
  const where = [...at, "attach"];
  const problem = !c.attachments
    ? "attach: needs http.public_url: the URL chat clients reach this listener at, which the links to the files start with"
    : method === "GET"
      ? "a GET route reads no body: attach: needs POST or PUT"
      : iq
        ? "an iq route answers with its reply: attach: needs message templates to send the files after"
        : undefined;
  if (problem === undefined) return Array.isArray(attach) ? attach : [attach];
  c.diagnostics.push(c.locate.at(where, problem, { key: true }));
  return null;
}

/** XEP-0045 §7.2.6: a room's password, by room JID (case-insensitive), else the route's. */
export function roomPasswords(
  byRoom: Record<string, string> | undefined,
  fallback: string | undefined,
): (room: string) => string | undefined {
  const map = new Map(Object.entries(byRoom ?? {}).map(([room, pw]) => [room.toLowerCase(), pw]));
  return (room) => map.get(room.toLowerCase()) ?? fallback;
}

/** `send:` is one template or a list of them; each is compiled and checked at its own place. */
export function checkSends(send: unknown, at: PathSegments, shape: RouteShape, c: RouteChecks): CompiledTemplate[] | undefined {
  const list = Array.isArray(send) ? send.map((s, i) => [s, [...at, "send", i]] as const) : [[send, [...at, "send"]] as const];
  if (!list.length) c.diagnostics.push(c.locate.at([...at, "send"], "expected at least one stanza template"));
  const templates = list.map(([source, where]) => {
    if (typeof source === "string" && source !== "") return checkTemplate(source, where, shape, c.locate, c.diagnostics);
    c.diagnostics.push(
      c.locate.at(
        where,
        `expected the stanza template (XML with {{ expr }} placeholders), found ${source === undefined ? "nothing (required)" : JSON.stringify(source)}`,
      ),
    );
    return undefined;
  });
  return list.length && templates.every((t) => t !== undefined) ? (templates as CompiledTemplate[]) : undefined;
}
