/** A bot as routes.yaml declares it, checked and compiled once at load (check.ts). */
import type { CommandPattern } from "./match.ts";
import type { Element } from "ltx";
import type { StanzaTemplate } from "./stanza-template.ts";
import type { TextTemplate } from "./text-template.ts";

export interface CompiledHttp {
  method: string;
  url: TextTemplate;
  headers: ReadonlyArray<readonly [string, TextTemplate]>;
  body: TextTemplate | undefined;
  timeoutMs: number;
  maxBytes: number;
}

/** A command's `mqtt:`: what it publishes (commands.ts). */
export interface CompiledMqtt {
  /** Renders a topic whose printed values stayed one level each (templates/topic.ts). */
  topic: TextTemplate;
  payload: TextTemplate;
  qos: 0 | 1 | 2;
  retain: boolean;
}

export interface CompiledCommand {
  pattern: CommandPattern;
  /** Its XEP-0050 node: the first word of its usage (`temp`), unique within the bot. */
  node: string;
  /** The line of the generated help. */
  help: string;
  http: CompiledHttp | undefined;
  /** `mqtt:`: published after the HTTP call (when there is one), before the reply. */
  mqtt?: CompiledMqtt | undefined;
  /** `attach: true`: the HTTP answer is a file the reply attaches (commands.ts). */
  attach: boolean;
  /** Text, or a whole `<message>` (stanza-template.ts) whose addressing the reply sets. */
  reply: { render(scope: Record<string, unknown>): string | Element };
  error: TextTemplate | undefined;
  /** `send:`: messages to others, delivered after the reply is built. */
  send: readonly StanzaTemplate[];
}

export interface BotConfig {
  /** `bots[0]`, for logs. */
  at: string;
  /** The bare JID, lower-cased. */
  jid: string;
  /** Its local part ("" for the component domain itself). */
  local: string;
  name: string;
  /** Bare JIDs and `*@domain`, lower-cased; `*` lets anyone in. */
  allow: readonly string[];
  commands: readonly CompiledCommand[];
  unknown: TextTemplate;
  rateLimit: { commands: number; windowMs: number };
  maxInputChars: number;
  maxConcurrent: number;
  jobs: readonly CompiledJob[];
  /** `rooms:`, joined at start (bots/rooms.ts); room JIDs lower-cased, the nick filled in. */
  rooms: readonly BotRoom[];
  acceptInvites: boolean;
  maxRooms: number;
}

export interface BotRoom {
  jid: string;
  nick: string;
  password?: string | undefined;
}

/** `jobs:` (bots/jobs.ts): a check the bot runs by itself, and what it sends. */
export interface CompiledJob {
  name: string;
  /** The next run after `from` (ms since the epoch); undefined when there is none. */
  next(from: number): number | undefined;
  http: CompiledHttp | undefined;
  /** `mqtt:`: a topic filter watched instead of a schedule (watch.ts); `next` then gives no run. */
  watch?: { filter: string; qos: 0 | 1 | 2 } | undefined;
  /** Renders "true" when the condition holds. */
  when: TextTemplate | undefined;
  onChange: TextTemplate | undefined;
  send: readonly StanzaTemplate[];
}

/** What each template may read (docs/bots.md). */
export const ROOTS = {
  request: ["match", "sender", "body"],
  publish: ["match", "http", "sender", "body"],
  reply: ["match", "http", "mqtt", "sender", "body"],
  error: ["match", "http", "mqtt", "sender", "body", "error"],
  send: ["match", "http", "mqtt", "sender", "body"],
  jobRequest: ["last"],
  job: ["http", "error", "last"],
  watch: ["topic", "wildcards", "body", "retain", "last"],
  unknown: ["commands", "sender", "body"],
} as const;
