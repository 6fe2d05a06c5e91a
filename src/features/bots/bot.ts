/**
 * One bot's stanza handler: messages run commands, presence and iq make it a contact
 * (contact.ts). A chat message from a sender in `allow` is, in order: refused when too long,
 * refused once per window over the rate limit (then ignored), matched against the commands,
 * answered by "help", or answered by `unknown:`. Replies keep the message type and the <thread>
 * (RFC 6121 §5.2.5). Messages from the gateway's own domain (its bots, itself) are never
 * commands, so two bots cannot answer each other. Invitations and rooms are rooms.ts's.
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { STANZA_ERRORS } from "../../plugin-api/errors.ts";
import type { Logger } from "../../log.ts";
import { createLimiter } from "../../kit/limiter.ts";
import { bareJid } from "../../kit/jid.ts";
import { isError, stanzaError } from "../../kit/stanza-error.ts";
import type { BotCommandOutcome, BotMetrics } from "../../metrics.ts";
import { runCommand, type Outcome } from "./commands.ts";
import type { BotConfig, CompiledCommand } from "./compiled.ts";
import type { HttpObserver } from "./http-call.ts";
import { iqReply, presenceReplies } from "./contact.ts";
import { adhocCommands } from "./adhoc.ts";
import { createRateLimit } from "./rate-limit.ts";
import type { Attachment, FilesPort } from "../../files/types.ts";
import { attachmentContent } from "../../notify/attachments.ts";
import type { Mqtt } from "../../mqtt/types.ts";

export interface BotDeps {
  send(stanza: Element): Promise<unknown>;
  fetch: typeof fetch;
  log: Logger;
  metrics?: BotMetrics;
  /** The bot in rooms (rooms.ts), given the chat path; it takes invitations. */
  rooms?: (chat: BotChat) => { take(stanza: Element): boolean };
  /** The file store, for commands with `attach: true`. */
  files?: FilesPort | undefined;
  /** The broker, for commands with `mqtt:`. */
  mqtt?: Pick<Mqtt, "publish"> | undefined;
}

export interface BotChat {
  allowed(bareJid: string): boolean;
  command(sender: string, text: string): Promise<Answer>;
  /** Whether a JID is the gateway's own (its component domain): never a sender of commands. */
  ours(jid: string): boolean;
  /** A message refused unread (a sender not allowed), counted as chat refusals are. */
  forbidden(): void;
}

/**
 * What a command comes to: a reply; the one notice of a sender over the rate limit in this window;
 * or nothing (past that notice the bot is quiet, so no loop through the server can go on).
 */
export type Answer = { reply: string | Element; attachments?: readonly Attachment[] | undefined } | { slowDown: string } | undefined;

/** The command label of a message no command matched, or one refused before it was read. */
const NO_COMMAND = "(none)";

export function botHandler(bot: BotConfig, deps: BotDeps): (stanza: Element) => boolean {
  const limit = createRateLimit(bot.rateLimit.commands, bot.rateLimit.windowMs);
  const work = createLimiter(bot.maxConcurrent, bot.maxConcurrent * 4);
  const send = (el: Element | undefined) =>
    void (el && deps.send(el).catch((err: unknown) => deps.log.warn("bot reply not sent", { err, bot: bot.jid })));
  const allowed = (from: string) => isAllowed(bot.allow, bareJid(from));
  const answer = (stanza: Element, a: NonNullable<Answer>) => answerMessages(stanza, a).forEach(send);
  const line = (reply: string, outcome?: BotCommandOutcome): Outcome => ({ reply, send: [], outcome });
  const count = (command: string, outcome: BotCommandOutcome) => deps.metrics?.botCommand(bot.jid, command, outcome);
  const observe: HttpObserver = (outcome, seconds) => deps.metrics?.botHttpCall(bot.jid, outcome, seconds);
  const slowDown = `Please slow down: I answer at most ${bot.rateLimit.commands} commands every ${bot.rateLimit.windowMs / 1000} s. Try again in a moment.`;
  /** The rate limit, taken before any pattern runs: a flood of hostile bodies costs no matching. */
  const limited = (sender: string, command: string): boolean => {
    if (limit.take(sender)) return false;
    count(command, "rate_limited");
    return true;
  };
  /** The concurrency bound, shared by chat and ad-hoc commands; `send:` goes out here. */
  const gate = async (command: string, task: () => Promise<Outcome>): Promise<Outcome> => {
    const run = work.run(task);
    if (!run) return (count(command, "busy"), line("I am busy with other commands right now; please try again in a moment."));
    const outcome = await run.catch(
      (err: unknown) => (deps.log.error("bot command failed", { err, bot: bot.jid }), line("Sorry, that failed unexpectedly.", "crashed")),
    );
    count(command, outcome.outcome ?? "ok");
    for (const el of outcome.send) send(el);
    return { ...outcome, reply: typeof outcome.reply === "string" ? clip(outcome.reply) : outcome.reply };
  };
  /** A sender's text, once allowed: too long, or the rate limit, commands, help, unknown:. Also rooms.ts's. */
  const command = async (sender: string, body: string): Promise<Answer> => {
    if ([...body].length > bot.maxInputChars)
      return (count(NO_COMMAND, "too_long"), { reply: `Your message is too long for me (at most ${bot.maxInputChars} characters).` });
    if (limited(sender, NO_COMMAND)) return limit.notice(sender) ? { slowDown } : undefined;
    const found = matchCommand(bot, body);
    const outcome = await gate(found?.command.pattern.usage ?? NO_COMMAND, () => respond(bot, found, sender, body, deps, observe));
    return { reply: outcome.reply, attachments: outcome.attachments };
  };
  const ours = (jid: string) => domainOf(bareJid(jid)) === domainOf(bot.jid);
  const message = (stanza: Element, body: string) => {
    const sender = bareJid(stanza.attrs.from ?? "");
    if (ours(sender)) return deps.log.debug("bot message from the gateway itself ignored", { bot: bot.jid, from: stanza.attrs.from });
    if (!allowed(sender)) return (count(NO_COMMAND, "forbidden"), send(stanzaError(stanza, STANZA_ERRORS.BOT_FORBIDDEN)));
    // The notice is an error (RFC 6120 §8.3.3.12, type wait): nobody answers an error (§8.3.1),
    // neither our bots nor another gateway's, and clients show it against the message refused.
    void command(sender, body).then(
      (a) => a && ("reply" in a ? answer(stanza, a) : send(stanzaError(stanza, { ...STANZA_ERRORS.BOT_SLOW_DOWN, text: a.slowDown }))),
    );
  };
  const rooms = deps.rooms?.({
    allowed: (jid) => isAllowed(bot.allow, jid),
    command,
    ours,
    forbidden: () => count(NO_COMMAND, "forbidden"),
  });
  const adhoc = adhocCommands(bot, {
    send,
    allowed,
    // Counted unread, as chat refusals are: the node is the sender's, not routes.yaml's.
    forbidden: () => count(NO_COMMAND, "forbidden"),
    execute: (from, command, match) => {
      // An iq is always answered (RFC 6120 §8.2.3): an ad-hoc refusal cannot loop, so it always says why.
      const sender = bareJid(from);
      if (limited(sender, command.pattern.usage)) return Promise.resolve(slowDown);
      const run = gate(command.pattern.usage, () =>
        runCommand(
          command,
          { match, sender, body: command.pattern.usage.replace(/<([^>]+)>/g, (_, g: string) => match[g] ?? "") },
          deps.fetch,
          observe,
          deps.files,
          deps.mqtt,
        ),
      );
      // A command's note is text (XEP-0050 §6.5): an attached file is its URL on a line of its own.
      const urls = (o: Outcome) => (o.attachments ?? []).map((a) => attachmentContent(a).body);
      return run.then((o) => [typeof o.reply === "string" ? o.reply : (o.reply.getChildText("body") ?? ""), ...urls(o)].join("\n"));
    },
  });
  return function botStanza(stanza) {
    if (stanza.name === "presence") for (const reply of presenceReplies(bot, stanza, allowed(stanza.attrs.from ?? ""))) send(reply);
    else if (stanza.name === "iq") {
      if (!adhoc(stanza)) send(iqReply(bot, stanza));
    } else if (stanza.name === "message" && !isError(stanza) && !rooms?.take(stanza) && isChatLike(stanza)) {
      const body = stanza.getChildText("body");
      // Chat states and receipts without a body need no answer (XEP-0085 §5.4).
      if (body !== null) message(stanza, body.trim());
    }
    return true;
  };
}

type Found = { command: CompiledCommand; match: Record<string, string> };

/** The first command whose pattern matches the body. */
function matchCommand(bot: BotConfig, body: string): Found | undefined {
  for (const command of bot.commands) {
    const match = command.pattern.exec(body);
    if (match) return { command, match };
  }
  return undefined;
}

/** The reply for a body: the matching command's, else "help", else `unknown:`. */
async function respond(
  bot: BotConfig,
  found: Found | undefined,
  sender: string,
  body: string,
  deps: Pick<BotDeps, "fetch" | "files" | "mqtt">,
  observe: HttpObserver,
): Promise<Outcome> {
  if (found) return runCommand(found.command, { match: found.match, sender, body }, deps.fetch, observe, deps.files, deps.mqtt);
  return { reply: fallback(bot, sender, body), send: [], outcome: body.toLowerCase() === "help" ? "help" : "unknown" };
}

function fallback(bot: BotConfig, sender: string, body: string): string {
  const usages = bot.commands.map((c) => c.pattern.usage);
  // A bot with jobs alone has no commands to list: "help" gets unknown: like anything else.
  if (body.toLowerCase() === "help" && bot.commands.length > 0)
    return ["Commands:", ...bot.commands.map((c) => `- ${c.help}`), "- help"].join("\n");
  try {
    return bot.unknown.render({ commands: [...usages, "help"].join(", "), sender, body });
  } catch {
    return `Unknown command. I know: ${[...usages, "help"].join(", ")}`;
  }
}

/** Groupchat (rooms come to the bot's seat, rooms.ts) and headline messages (they expect none) are not answered here. */
function isChatLike(stanza: Element): boolean {
  const type = stanza.attrs.type;
  return type === undefined || type === "chat" || type === "normal";
}

/** A text reply, or a `<message>` reply template's children, addressed to the sender. */
function replyTo(stanza: Element, reply: string | Element): Element {
  const { from, to, type } = stanza.attrs;
  return xml("message", { to: from, from: to, type: type ?? "chat", id: `bot-${crypto.randomUUID()}` }, ...replyContent(stanza, reply));
}

/** What a reply carries: the text as its body (or a template's children), and the sender's <thread>. */
function replyContent(stanza: Element, reply: string | Element): Element[] {
  const thread = stanza.getChild("thread");
  const children = typeof reply === "string" ? [xml("body", {}, reply)] : reply.getChildElements().filter((c) => c.name !== "thread");
  return [...children, ...(thread ? [xml("thread", thread.attrs, thread.getText())] : [])];
}

/**
 * The files a reply attaches, each a message of its own to the sender after the reply: the body
 * exactly the URL and the XEP-0066 element carrying it (notify/attachments.ts), the <thread> kept.
 */
function attachmentReplies(stanza: Element, attachments: readonly Attachment[] = []): Element[] {
  return attachments.map((a) => {
    const { body, extra } = attachmentContent(a);
    return replyTo(stanza, xml("message", {}, xml("body", {}, body), ...extra));
  });
}

/** An answer's messages to the sender: the reply (or the slow-down notice), then its files. */
export function answerMessages(stanza: Element, a: NonNullable<Answer>): Element[] {
  return "reply" in a ? [replyTo(stanza, a.reply), ...attachmentReplies(stanza, a.attachments)] : [replyTo(stanza, a.slowDown)];
}

/**
 * Replies are cut at MAX_REPLY_CHARS with a note saying so: an endpoint's long answer printed by
 * `{{ http.text }}` must not make a stanza the server refuses (xmpp.max_stanza_bytes), which
 * would leave the sender with no answer at all.
 */
const MAX_REPLY_CHARS = 10_000;
function clip(text: string): string {
  const chars = [...text];
  return chars.length <= MAX_REPLY_CHARS ? text : `${chars.slice(0, MAX_REPLY_CHARS).join("")}… (cut at ${MAX_REPLY_CHARS} characters)`;
}

/** The domain of a bare JID (the JID itself for a domain JID). */
function domainOf(jid: string): string {
  return jid.slice(jid.lastIndexOf("@") + 1).toLowerCase();
}

function isAllowed(allow: readonly string[], sender: string): boolean {
  const s = sender.toLowerCase();
  const domain = s.slice(s.lastIndexOf("@") + 1);
  return allow.some((a) => a === "*" || a === s || (a.startsWith("*@") && a.slice(2) === domain && s.includes("@")));
}
