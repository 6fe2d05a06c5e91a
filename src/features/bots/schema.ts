/**
 * `bots:` in routes.yaml: config-only bots answering chat messages (issue 13). The schema is the
 * source of the types, the load-time validation and docs/reference.md; regular expressions,
 * templates and JIDs are checked further by check.ts.
 */
import { Type, type Static } from "@sinclair/typebox";
import { Closed } from "../../config/schema.ts";
import { BotMqttSchema, BotWatchSchema } from "./mqtt-schema.ts";

const BotHttpSchema = Closed(
  {
    method: Type.Union(
      ["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => Type.Literal(m)),
      { default: "GET", description: "The HTTP method." },
    ),
    url: Type.String({
      pattern: "^https?://",
      description:
        "A template of the URL. Its origin (scheme, host, port) must be literal text: values a template prints are URL-encoded, and a rendered URL whose origin differs is refused, so nothing a sender writes can send the call elsewhere.",
    }),
    headers: Type.Optional(
      Type.Record(Type.String({ pattern: "^[A-Za-z0-9-]+$" }), Type.String(), {
        description: "Header templates (values rendered as text; a value with a line break fails the call).",
      }),
    ),
    body: Type.Optional(
      Type.String({
        description: "A template of the request body, sent as text (use `| json` to print JSON values). Set content-type under headers.",
      }),
    ),
    timeout_ms: Type.Integer({
      minimum: 1,
      maximum: 600_000,
      default: 5_000,
      description: "The whole call (connect, answer, body) must end within this time, or the command fails.",
    }),
    max_answer_bytes: Type.Integer({
      minimum: 1,
      default: 1_048_576,
      description: "Larger answers are not read past this size; the command fails with a clear line.",
    }),
  },
  "An HTTP call a command makes before it replies. Redirects are not followed (a 3xx is a failure).",
);

const BotNoticeSchema = Closed(
  {
    to: Type.String({ minLength: 1, description: "A literal JID (bare or full) to notify." }),
    text: Type.String({ description: "The text: a template reading the names of reply:." }),
  },
  "A chat message from the bot to `to`.",
);

const BotCommandSchema = Closed(
  {
    match: Type.String({
      minLength: 1,
      description:
        'A regular expression (JavaScript syntax, `u` flag) tested on the message body, trimmed. Named groups `(?<name>...)` become `match.name` in templates. A pattern that can take exponential time on hostile input, such as `(a+)+`, is refused at load (see docs/bots.md, "Regular expressions").',
    }),
    help: Type.Optional(
      Type.String({
        description:
          "A short description of the command, shown after its usage (derived from `match`) in the generated help and as its XEP-0050 name: `temp <room>: the temperature in a room`.",
      }),
    ),
    http: Type.Optional(BotHttpSchema),
    mqtt: Type.Optional(BotMqttSchema),
    reply: Type.String({
      description:
        "The reply: a text template reading match.*, http.status, http.json, http.text, mqtt.topic, mqtt.payload, sender, body; or, when it starts with `<message`, a whole message template (as in routes' `template:`) whose to, from and type the reply sets.",
    }),
    attach: Type.Optional(
      Type.Boolean({
        description:
          "The answer of `http:` is a file (a camera's JPEG, a chart's PNG): it is kept in the file store, not read as text, and sent after the reply as a message of its own (XEP-0066) that clients show inline. Its size is bounded by attachments.max_file_bytes, not max_answer_bytes; the reply reads http.status only. Needs http: and http.public_url (docs/files.md).",
      }),
    ),
    error: Type.Optional(
      Type.String({
        description:
          "The reply text when the HTTP call or the MQTT publish fails (timeout, refused, non-2xx, too large, broker unavailable): a template reading error (a sentence), match.*, http.* when an answer came, and mqtt.topic when the topic was rendered.",
      }),
    ),
    send: Type.Optional(
      Type.Array(
        Type.Union([
          BotNoticeSchema,
          Type.String({
            pattern: "^\\s*<message",
            description: "A `<message>` template (as in routes' `template:`) reading the names of reply:; from defaults to the bot.",
          }),
        ]),
        {
          description:
            "Messages to others once the command succeeded, delivered as routes' messages are (queued while the link is down): `{ to, text }` items or `<message>` templates.",
        },
      ),
    ),
  },
  "One command: a pattern, an optional HTTP call, the reply.",
);

const RateLimitSchema = Closed(
  {
    commands: Type.Integer({ minimum: 1, default: 10, description: "Commands one sender (bare JID) may run within the window." }),
    window_s: Type.Integer({
      minimum: 1,
      default: 10,
      description:
        "The window, in seconds; past the limit the sender is told once (an error stanza), then gets nothing until a window has passed since.",
    }),
  },
  "Commands per sender.",
);

const SendItemsSchema = (names: string) =>
  Type.Array(
    Type.Union([BotNoticeSchema, Type.String({ pattern: "^\\s*<message", description: `A \`<message>\` template reading ${names}.` })]),
    { minItems: 1, description: "`{ to, text }` items or `<message>` templates, delivered as routes' messages are." },
  );

const BotJobSchema = Closed(
  {
    name: Type.String({
      pattern: "^[A-Za-z0-9_.-]+$",
      description: "Unique within the bot: it keys the last run in the store (renaming a job forgets it).",
    }),
    every: Type.Optional(
      Type.String({
        pattern: "^[1-9][0-9]*[smh]$",
        description:
          "Runs every so long: `30s`, `5m`, `1h` (the first run one period after start). Exactly one of every:, cron: and mqtt:.",
      }),
    ),
    cron: Type.Optional(
      Type.String({
        minLength: 1,
        description: "A 5-field cron expression (minute hour day month weekday), in the machine's local time, read by croner.",
      }),
    ),
    http: Type.Optional(BotHttpSchema),
    mqtt: Type.Optional(BotWatchSchema),
    when: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "A Liquid condition (as in `{% if %}`) over http.status, http.json, http.text, error (a sentence when the check failed) and last.* (a watching job: topic, wildcards, body, retain and last.*); send: only when it holds.",
      }),
    ),
    on_change: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "A Liquid expression (no {{ }}) over the same names; send: only when its value differs from the last run's (kept in the store: a restart does not repeat an alert). A watching job compares per topic.",
      }),
    ),
    send: SendItemsSchema("http.*, error and last.*"),
  },
  "A check the bot runs by itself on a schedule, and what it sends.",
);

const BotRoomSchema = Closed(
  {
    jid: Type.String({ minLength: 1, description: "The room's bare JID (room@conference.example.org)." }),
    nick: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: "The bot's nick there; by default the bot's name. Taken by someone else, it gets a short suffix (XEP-0045 §7.2.9).",
      }),
    ),
    password: Type.Optional(Type.String({ description: "The room's password (XEP-0045 §7.2.6)." })),
  },
  "A room the bot joins at start, after a reload and after every reconnect.",
);

export const BotSchema = Closed(
  {
    jid: Type.String({ minLength: 1, description: "The bot's bare JID: local@<component>, or the component domain itself." }),
    allow: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: "Who may talk to the bot: bare JIDs, `*@domain`, or `*` for anyone. Others get a <forbidden/> error.",
    }),
    name: Type.Optional(Type.String({ description: "The name in disco#info (default: the local part)." })),
    commands: Type.Optional(
      Type.Array(BotCommandSchema, {
        description:
          "Tried in order; the first whose match: matches the body runs. May be left out when the bot has jobs: (a bot that only reports): it then answers every chat message with unknown:, by default that it takes no commands and which jobs it runs.",
      }),
    ),
    unknown: Type.String({
      default: "Unknown command. I know: {{ commands }}",
      description: "The reply to a body no command matches: a template reading commands (the usages, comma-separated), body, sender.",
    }),
    rate_limit: Type.Optional(RateLimitSchema),
    max_input_chars: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      default: 1_000,
      description: "Longer bodies are refused with a reply before any regular expression runs on them.",
    }),
    jobs: Type.Array(BotJobSchema, {
      default: [],
      description: 'Scheduled and watched checks (docs/bots.md, "Jobs"): sent from the bot\'s JID.',
    }),
    max_concurrent: Type.Integer({
      minimum: 1,
      default: 8,
      description: "Commands in progress at once for this bot; 4 times more wait, and beyond that a sender is told the bot is busy.",
    }),
    rooms: Type.Array(BotRoomSchema, {
      default: [],
      description:
        'Rooms (XEP-0045) the bot is an occupant of, as `<bot jid>/bot`. There it answers messages addressed to it (`nick: command`), in the room (docs/bots.md, "Bots in rooms").',
    }),
    accept_invites: Type.Boolean({
      default: false,
      description:
        "Whether the bot follows invitations to rooms (XEP-0045 §7.8.2 mediated, XEP-0249 direct) from senders in allow:. Accepted rooms are kept in the store: the bot is back in them after a restart or a reload.",
    }),
    max_rooms: Type.Integer({
      minimum: 1,
      maximum: 1_000,
      default: 20,
      description:
        "Rooms the bot is in at most, rooms: and invitations together; an invitation past it is declined. xmpp.max_rooms bounds the gateway's rooms as a whole.",
    }),
  },
  "A config-only bot: a JID of the component that answers chat messages (and messages addressed to it in rooms) with commands.",
);

export type BotOptions = Static<typeof BotSchema>;
export type BotCommandOptions = Static<typeof BotCommandSchema>;
