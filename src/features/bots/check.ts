/**
 * `bots:` items: the schema, then what a schema cannot say: the JID is a bare JID of the component
 * not claimed by a component_http route or another bot, `allow` entries are JIDs or `*@domain`,
 * patterns compile and are safe (bots/match.ts), templates compile and read only their names.
 * Every problem at its place in routes.yaml, all at once.
 */
import { isRecord } from "../../kit/bounded.ts";
import { parseJid } from "../../kit/jid.ts";
import { BotSchema, type BotCommandOptions, type BotOptions } from "./schema.ts";
import { ROOTS, type BotConfig, type CompiledCommand, type CompiledJob } from "./compiled.ts";
import { compilePattern, type CommandPattern } from "./match.ts";
import { isMessageTemplate, type StanzaTemplate } from "./stanza-template.ts";
import type { PathSegments } from "../../config/diagnostics.ts";
import { checkSchema } from "../../config/check-schema.ts";
import { checkJobs } from "./check-jobs.ts";
import { checkHttp, checkSend, fail, message, text, type BotChecks } from "./check-common.ts";
import { checkPublish } from "./check-mqtt.ts";
import type { TextTemplate } from "./text-template.ts";

export function checkBots(raw: unknown, c: BotChecks): BotConfig[] {
  return (Array.isArray(raw) ? raw : []).flatMap((item: unknown, i) => checkBot(item, ["bots", i], c) ?? []);
}

function checkBot(raw: unknown, at: PathSegments, c: BotChecks): BotConfig | undefined {
  const before = c.diagnostics.length;
  const bot = checkSchema(BotSchema, raw, at, c.locate, c.diagnostics) as BotOptions | undefined;
  const r = isRecord(raw) ? raw : {};
  const local = typeof r.jid === "string" ? checkJid(r.jid, at, c) : undefined;
  const allow = Array.isArray(r.allow) ? r.allow.map((a: unknown, i) => checkAllow(a, [...at, "allow", i], c)) : [];
  const commands = Array.isArray(r.commands)
    ? r.commands.map((cmd: unknown, i) =>
        isRecord(cmd)
          ? checkCommand(cmd as BotCommandOptions, [...at, "commands", i], c, typeof r.jid === "string" ? r.jid.toLowerCase() : "")
          : undefined,
      )
    : [];
  const jobs = checkJobs(r.jobs, at, c, typeof r.jid === "string" ? r.jid.toLowerCase() : "");
  const reportsOnly = commands.length === 0;
  if (bot && reportsOnly && (!Array.isArray(r.jobs) || r.jobs.length === 0))
    fail(
      c,
      Array.isArray(r.commands) ? [...at, "commands"] : at,
      "a bot needs commands: (what it answers), jobs: (what it reports), or both",
    );
  const unknown =
    typeof r.unknown === "string"
      ? text(r.unknown, ROOTS.unknown, [...at, "unknown"], c)
      : bot && reportsOnly
        ? noCommands(jobs)
        : bot
          ? text(bot.unknown, ROOTS.unknown, [...at, "unknown"], c)
          : undefined;
  const rooms = checkRooms(r.rooms, at, c);
  if (bot && rooms.length > bot.max_rooms) fail(c, [...at, "rooms"], `${rooms.length} rooms, more than max_rooms (${bot.max_rooms})`);
  if (!bot || local === undefined || !unknown || c.diagnostics.length !== before) return undefined;
  return {
    at: `bots[${at[1]}]`,
    jid: bot.jid.toLowerCase(),
    local,
    name: bot.name ?? (local || bot.jid),
    allow: allow.filter((a): a is string => a !== undefined),
    commands: withNodes(commands.filter((x): x is Omit<CompiledCommand, "node"> => x !== undefined)),
    unknown,
    rateLimit: { commands: bot.rate_limit?.commands ?? 10, windowMs: (bot.rate_limit?.window_s ?? 10) * 1000 },
    maxInputChars: bot.max_input_chars,
    maxConcurrent: bot.max_concurrent,
    jobs,
    rooms: rooms.map((room) => ({ ...room, nick: room.nick ?? bot.name ?? (local || bot.jid) })),
    acceptInvites: bot.accept_invites,
    maxRooms: bot.max_rooms,
  };
}

/** `rooms:` items: bare room JIDs, each once, no more than max_rooms. */
/** What a bot with jobs alone answers a chat message, unless unknown: says otherwise: no command list to offer. */
function noCommands(jobs: readonly CompiledJob[]): TextTemplate {
  const reply = `I take no commands: I only send what my jobs report (${jobs.map((j) => j.name).join(", ")}).`;
  return { render: () => reply };
}

function checkRooms(raw: unknown, at: PathSegments, c: BotChecks): Array<{ jid: string; nick?: string; password?: string }> {
  const items = Array.isArray(raw) ? raw.filter(isRecord) : [];
  const seen = new Set<string>();
  return items.flatMap((item, i) => {
    if (typeof item.jid !== "string") return [];
    const jid = parseJid(item.jid);
    const where = [...at, "rooms", i, "jid"];
    if (!jid || jid.local === "" || jid.resource !== "")
      return fail(c, where, `expected a room's bare JID (room@conference.example.org), found ${JSON.stringify(item.jid)}`) ?? [];
    const bare = `${jid.local}@${jid.domain}`.toLowerCase();
    if (seen.has(bare)) return fail(c, where, `the room ${bare} is listed twice`) ?? [];
    seen.add(bare);
    return [
      {
        jid: bare,
        ...(typeof item.nick === "string" ? { nick: item.nick } : {}),
        ...(typeof item.password === "string" ? { password: item.password } : {}),
      },
    ];
  });
}

/** A bare JID of the component; its local part joins the routes' claims (xmpp/router.ts row 3). */
function checkJid(value: string, at: PathSegments, c: BotChecks): string | undefined {
  const where = [...at, "jid"];
  const jid = parseJid(value);
  if (jid?.resource !== "")
    return fail(c, where, `expected a bare JID (local@${c.component ?? "<component>"}), found ${JSON.stringify(value)}`);
  if (c.component && jid.domain !== c.component.toLowerCase())
    return fail(c, where, `a bot's JID must be on the component's domain ${c.component}, found ${jid.domain}`);
  const local = jid.local.toLowerCase();
  const what = local ? `local part "${local}"` : `the component domain ${jid.domain}`;
  const here = c.locate.at(where, "");
  const first = c.claimed.get(what);
  if (first)
    return fail(
      c,
      where,
      `${what} is already claimed by ${first.route} (line ${first.line}, col ${first.col}): a bot and a route cannot share a JID`,
    );
  c.claimed.set(what, { route: `bots[${at[1]}]`, line: here.line, col: here.col });
  return local;
}

function checkAllow(value: unknown, at: PathSegments, c: BotChecks): string | undefined {
  if (typeof value !== "string") return undefined;
  if (value === "*") return value;
  const jid = parseJid(value.startsWith("*@") ? value.slice(2) : value);
  if (jid?.resource !== "" || (value.startsWith("*@") && jid.local !== ""))
    return fail(c, at, `expected a bare JID, *@domain or *, found ${JSON.stringify(value)}`);
  return value.toLowerCase();
}

/** XEP-0050 nodes: the first word of each usage, `command-<n>` when it has none or is taken. */
function withNodes(commands: Array<Omit<CompiledCommand, "node">>): CompiledCommand[] {
  const taken = new Set<string>();
  return commands.map((cmd, i) => {
    const word = /^[\p{L}\p{N}_-]+/u.exec(cmd.pattern.usage)?.[0].toLowerCase();
    const node = word && !taken.has(word) ? word : `command-${i + 1}`;
    taken.add(node);
    return { ...cmd, node };
  });
}

function checkCommand(cmd: BotCommandOptions, at: PathSegments, c: BotChecks, bot: string): Omit<CompiledCommand, "node"> | undefined {
  const pattern = typeof cmd.match === "string" ? checkPattern(cmd.match, [...at, "match"], c) : undefined;
  const reply =
    typeof cmd.reply !== "string"
      ? undefined
      : isMessageTemplate(cmd.reply)
        ? message(cmd.reply, ROOTS.reply, bot, [...at, "reply"], c)
        : text(cmd.reply, ROOTS.reply, [...at, "reply"], c);
  const send = Array.isArray(cmd.send) ? cmd.send.map((item: unknown, i) => checkSend(item, bot, [...at, "send", i], c)) : [];
  const error = typeof cmd.error === "string" ? text(cmd.error, ROOTS.error, [...at, "error"], c) : undefined;
  const http = isRecord(cmd.http) ? checkHttp(cmd.http, [...at, "http"], c) : undefined;
  const mqtt = cmd.mqtt === undefined ? undefined : checkPublish(cmd.mqtt, [...at, "mqtt"], c);
  const attach = cmd.attach === true && checkAttach(cmd, [...at, "attach"], c);
  if (
    !pattern ||
    !reply ||
    (cmd.http !== undefined && !http) ||
    (cmd.mqtt !== undefined && !mqtt) ||
    (cmd.error !== undefined && !error) ||
    send.some((s) => !s)
  )
    return undefined;
  return {
    pattern,
    help: typeof cmd.help === "string" ? `${pattern.usage}: ${cmd.help}` : pattern.usage,
    http,
    mqtt,
    attach,
    reply,
    error,
    send: send as StanzaTemplate[],
  };
}

/** `attach: true` needs the call whose answer is the file, and a public URL to link it at. */
function checkAttach(cmd: BotCommandOptions, at: PathSegments, c: BotChecks): boolean {
  const problem = !isRecord(cmd.http)
    ? "attach: true attaches the answer of the command's http: call, and this command has none"
    : !c.attachments
      ? "attach: needs http.public_url: the URL chat clients reach this listener at, which the links to the files start with"
      : undefined;
  if (problem === undefined) return true;
  c.diagnostics.push(c.locate.at(at, problem, { key: true }));
  return false;
}

function checkPattern(source: string, at: PathSegments, c: BotChecks): CommandPattern | undefined {
  try {
    return compilePattern(source);
  } catch (err) {
    return fail(c, at, `bad regular expression: ${err instanceof Error ? err.message : String(err)}`);
  }
}
