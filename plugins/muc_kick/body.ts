/**
 * The JSON body of a kick: `{ nickname, muc, reason? }` as mod_http_muc_kick reads it, plus the
 * optional `jid` (kick or ban whoever has that real JID). Problems come back as the original's
 * exact sentences, so callers matching on them keep working.
 */
import { isXmlText } from "../../src/kit/xml-text.ts";
import { parseJid } from "../../src/kit/jid.ts";

/** A parsed JID (the plugin API exports the parser, not its type). */
export type Jid = NonNullable<ReturnType<typeof parseJid>>;

type Target = { kind: "nick"; nick: string } | { kind: "jid"; jid: Jid };

export interface KickRequest {
  room: Jid;
  target: Target;
  /** Always a string: the original passed `reason or ""`, so an empty <reason/> goes out. */
  reason: string;
}

export type BodyProblem =
  | { kind: "no-json" }
  | { kind: "missing" }
  | { kind: "invalid-jid"; field: "muc" | "jid"; value: string }
  | { kind: "invalid-text"; field: string };

export function parseKickBody(text: string): KickRequest | BodyProblem {
  const decoded = decode(text);
  if (decoded === NOT_JSON) return { kind: "no-json" };
  // Like the original, JSON that is not an object has no fields: nothing to kick.
  const body = isObject(decoded) ? decoded : {};
  const nickname = scalar(body.nickname);
  const jidText = scalar(body.jid);
  if ((nickname === undefined && jidText === undefined) || body.muc === undefined || body.muc === null) return { kind: "missing" };
  const room = typeof body.muc === "string" ? parseJid(body.muc) : undefined;
  if (!room) return { kind: "invalid-jid", field: "muc", value: String(body.muc) };
  const reason = scalar(body.reason) ?? "";
  for (const [field, value] of [
    ["nickname", nickname],
    ["reason", reason],
  ] as const) {
    if (value !== undefined && !isXmlText(value)) return { kind: "invalid-text", field };
  }
  if (nickname !== undefined) return { room, target: { kind: "nick", nick: nickname }, reason };
  const jid = parseJid(jidText ?? "");
  if (!jid?.local) return { kind: "invalid-jid", field: "jid", value: jidText ?? "" };
  return { room, target: { kind: "jid", jid }, reason };
}

const NOT_JSON = Symbol("not JSON");

/** The original meant "JSON body not found" for a body that does not decode (see README). */
function decode(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Lua concatenated numbers as text, so `"nickname": 42` named the occupant "42" there too. */
function scalar(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}
