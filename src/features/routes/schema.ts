/** A declarative routes[] entry: its keys, and the long form of a body field. */
import { Type, type Static } from "@sinclair/typebox";
import { Closed } from "../../config/schema.ts";

const Path = Type.String({ pattern: "^/", description: "The HTTP path; `:name` segments become params.name." });
const AttachName = Type.String({ pattern: "^[A-Za-z0-9_.\\[\\]-]+$" });
const AuthRef = Type.String({ description: "The name of an auth scheme from `auth:`." });

export const FieldTypeSchema = Type.Union(
  [
    Type.Literal("string"),
    Type.Literal("number"),
    Type.Literal("integer"),
    Type.Literal("boolean"),
    Type.Literal("jid"),
    Type.Literal("object"),
    Type.Literal("array"),
    Type.Literal("any"),
  ],
  {
    description:
      "The field's type; `jid` is a string that must be a valid JID; `object` has `fields:`, `array` has `items:`; `any` is anything.",
  },
);

export const FieldSchema = Closed({
  type: FieldTypeSchema,
  required: Type.Optional(Type.Boolean({ description: "Default true." })),
  max_length: Type.Optional(Type.Integer({ minimum: 0, description: "Longest string accepted." })),
  pattern: Type.Optional(
    Type.String({
      description:
        "A regular expression the string must match. One that can take exponential time on hostile input (such as `(\\d+\\.?)+`, or a backreference) is refused at load.",
    }),
  ),
  enum: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: "The only values accepted." })),
  default: Type.Optional(
    Type.Union([Type.String(), Type.Number(), Type.Boolean()], {
      description: "Used when the field is absent (the field is then optional).",
    }),
  ),
  fields: Type.Optional(
    Type.Unknown({ description: "For `type: object`: its fields, written like `body:` (`name: type`, `name: type?` or the long form)." }),
  ),
  additional_properties: Type.Optional(
    Type.Boolean({
      description: "For `type: object`: accept fields it does not declare. Default false when `fields:` is given, true without it.",
    }),
  ),
  items: Type.Optional(
    Type.Unknown({
      description:
        "For `type: array`: the type of each item (`string`, or a long form such as `{ type: object, fields: ... }`); anything when absent.",
    }),
  ),
  max_items: Type.Optional(Type.Integer({ minimum: 0, description: "For `type: array`: the most items accepted." })),
});

export const DeclarativeRouteSchema = Closed({
  name: Type.Optional(Type.String({ description: "Shown in logs; defaults to METHOD path." })),
  path: Path,
  method: Type.Union([Type.Literal("POST"), Type.Literal("PUT"), Type.Literal("GET")], {
    default: "POST",
    description: "The HTTP method served; GET routes read no body.",
  }),
  auth: Type.Optional(AuthRef),
  body: Type.Optional(
    Type.Union(
      [
        Type.Literal("any"),
        Type.Record(
          Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$" }),
          Type.Union([FieldTypeSchema, Type.String({ pattern: "\\?$" }), FieldSchema]),
        ),
      ],
      {
        description:
          "Accepted body fields: `name: type`, `name: type?` (optional) or `name: { type, required, ... }` (objects and arrays nest); `any` accepts any body. Without `body:`, the template reads whatever the request carries.",
      },
    ),
  ),
  additional_properties: Type.Optional(
    Type.Boolean({
      default: false,
      description: "Accept top-level body fields that `body:` does not declare (a template reads them as body.NAME).",
    }),
  ),
  send: Type.Optional(
    Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
      description:
        "The stanza template (XML with Liquid: {{ body.x }}, {% for %}, {% if %}, filters), or a list of them: each gives zero, one or many stanzas. Required unless the route has `publish:`.",
    }),
  ),
  publish: Type.Optional(
    Closed(
      {
        topic: Type.String({
          minLength: 1,
          description:
            "A template of the MQTT topic (`zigbee2mqtt/{{ params.device }}/set`): no wildcards in its literal text, and each printed value must stay one level (a value with `/`, `+` or `#` is refused, 400 MQTT_TOPIC_INVALID).",
        }),
        payload: Type.Union([Type.String(), Type.Record(Type.String(), Type.Unknown()), Type.Array(Type.Unknown())], {
          description:
            'The payload. A mapping or list is JSON the gateway writes (`{ state: "{{ body.state | upcase }}" }`): each string in it is a template whose output stays a JSON string, except one that is exactly `{{ expr }}` printing a number or boolean; no value can add keys. A string is a text template published as UTF-8 (`{{ body | json }}`); JSON written as text must print values with `| json`.',
        }),
        qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], {
          default: 1,
          description: "MQTT QoS: at 1 and 2 the request is answered once the broker acknowledged the message (PUBACK, PUBCOMP).",
        }),
        retain: Type.Boolean({ default: false, description: "Publish as a retained message." }),
      },
      "HTTP -> MQTT instead of `send:`: the request publishes one message to the broker of `mqtt:` and is answered 201 once the broker has it (docs/mqtt.md).",
    ),
  ),
  when: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'A Liquid condition (`body.status == "firing"`); when false the request is answered 204 and nothing is sent.',
    }),
  ),
  strict: Type.Optional(
    Type.Boolean({
      default: false,
      description: "Reading a field the payload lacks is 400 MISSING_FIELD instead of empty text (`| default:` and `{% if %}` still work).",
    }),
  ),
  max_stanzas: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 50,
      description: 'Most stanzas one request sends; past it the last one is a summary ("… and N more").',
    }),
  ),
  timeout_ms: Type.Optional(
    Type.Integer({
      minimum: 100,
      description:
        'iq routes (`send:` an <iq type="get|set">): how long to wait for the answer before 504 XMPP_TIMEOUT (default xmpp.iq_timeout_ms).',
    }),
  ),
  correct: Type.Optional(
    Closed(
      {
        key: Type.String({
          minLength: 1,
          description:
            "A Liquid expression naming the thread (`body.groupKey`): a later message of the same thread to the same recipient corrects the first one in place (XEP-0308) instead of adding another.",
        }),
        last: Type.Optional(
          Type.String({
            minLength: 1,
            description:
              'A Liquid condition (`body.status == "resolved"`): this message is the thread\'s final correction; the next one starts a new message.',
          }),
        ),
        max_threads: Type.Optional(
          Type.Integer({
            minimum: 1,
            maximum: 1_000_000,
            default: 1000,
            description:
              "Most threads (key and recipient) this route keeps open in the store; past it the oldest is forgotten, and its next message starts a new one.",
          }),
        ),
        ttl_s: Type.Optional(
          Type.Integer({
            minimum: 1,
            default: 86400,
            description:
              "Seconds a thread stays open after its first message: a later message starts a new one instead of correcting a message long scrolled away (XEP-0308 corrects the last sent message).",
          }),
        ),
      },
      "Correct an earlier message in place (XEP-0308 Last Message Correction); the first message's id is remembered in the store.",
    ),
  ),
  nick: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description:
        'Groupchat (`<message type="groupchat">` to a room): the nick the gateway enters the room with (XEP-0045 §7.2). Default `Stanzagate`; taken, it retries once with a suffix.',
    }),
  ),
  room_password: Type.Optional(
    Type.String({
      description: "Groupchat: the password of the rooms this route posts to (XEP-0045 §7.2.6), unless `rooms:` names the room.",
    }),
  ),
  rooms: Type.Optional(
    Type.Record(Type.String({ minLength: 1 }), Type.String(), {
      description: "Groupchat: passwords by room JID (`room@conference.example: secret`); wins over `room_password`.",
    }),
  ),
  attach: Type.Optional(
    Type.Union([AttachName, Type.Array(AttachName, { minItems: 1 })], {
      description:
        "Files this route takes and sends after its messages, one chat message each that clients show as the image or file (XEP-0066; docs/files.md): multipart field names (`file` for `curl -F file=@snapshot.jpg`, the other fields being the body), or `body` for a whole non-multipart body (named by `?filename=`). Needs http.public_url.",
    }),
  ),
  respond: Type.Optional(
    Type.Unknown({
      description:
        'iq routes: the JSON answered on success, written in the shape wanted; strings hold {{ reply.x }} placeholders reading the answer stanza (see "iq round trips").',
    }),
  ),
});

export type DeclarativeRoute = Static<typeof DeclarativeRouteSchema>;
export type FieldSpec = Static<typeof FieldSchema>;
