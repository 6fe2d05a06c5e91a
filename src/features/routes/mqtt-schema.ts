/**
 * An MQTT route (issue 23 §2): `mqtt: { topic, ... }` instead of `path:`. Each message the broker
 * delivers on the topic renders the route's `send:` as an HTTP request would; the keys it shares
 * with a declarative route (send, correct, rooms) are the same schemas.
 */
import { Type, type Static } from "@sinclair/typebox";
import { Closed } from "../../config/schema.ts";
import { DeclarativeRouteSchema } from "./schema.ts";

const shared = DeclarativeRouteSchema.properties;

/** `30s`, `5m`, `1h`, `500ms`: the spacing of min_interval. */
const DURATION = "^[1-9][0-9]*(ms|s|m|h)$";

const MqttSubscriptionSchema = Closed(
  {
    topic: Type.String({
      minLength: 1,
      description:
        "The topic filter to subscribe to (MQTT 5 §4.7): `+` matches one level, `#` the rest (last level only); templates read the matched levels as wildcards[0], wildcards[1]...",
    }),
    qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], {
      default: 1,
      description:
        "The subscription's QoS. With 1 or 2 a message is acknowledged to the broker only once its stanzas are sent or in the outbox, and messages published while the gateway is down wait in its persistent session.",
    }),
    retained: Type.Boolean({
      default: false,
      description:
        "Render the retained message the broker sends when the gateway subscribes to the filter (a route added, a session the broker no longer had). Default false: only messages published from then on.",
    }),
    min_interval: Type.Optional(
      Type.String({
        pattern: DURATION,
        description:
          "Per topic, the shortest spacing between two messages sent (`30s`, `5m`, `500ms`): a message within it after the last one sent is skipped and counted.",
      }),
    ),
    binary: Type.Union([Type.Literal("refuse"), Type.Literal("base64")], {
      default: "refuse",
      description:
        "A payload that is not UTF-8 (a picture, a packed reading): `refuse` logs and counts it and sends nothing; `base64` gives it to the templates as `body`, base64 text.",
    }),
  },
  "The MQTT topic this route takes messages from, instead of an HTTP path (docs/mqtt.md).",
);

export const MqttRouteSchema = Closed({
  name: Type.Optional(
    Type.String({
      description: "Shown in logs and metrics, and names what on_change and correct: remember; defaults to `mqtt <topic>`.",
    }),
  ),
  mqtt: MqttSubscriptionSchema,
  send: shared.send,
  when: Type.Optional(
    Type.String({ minLength: 1, description: "A Liquid condition (`body.contact == false`); when false the message sends nothing." }),
  ),
  on_change: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "A Liquid expression (`body.contact`): send only when its value differs from the last one sent for the same topic. Kept in the store, so a restart does not repeat a message.",
    }),
  ),
  strict: Type.Optional(
    Type.Boolean({
      default: false,
      description: "Reading a field the payload lacks refuses the message (logged, counted) instead of printing empty text.",
    }),
  ),
  max_stanzas: shared.max_stanzas,
  correct: shared.correct,
  nick: shared.nick,
  room_password: shared.room_password,
  rooms: shared.rooms,
});

export type MqttRoute = Static<typeof MqttRouteSchema>;
