/**
 * A bot's MQTT keys (issue 23, docs/bots.md): a command's `mqtt:` (what it publishes) and a job's
 * `mqtt:` (the topic filter it watches instead of a schedule). check-mqtt.ts checks them further.
 */
import { Type } from "@sinclair/typebox";
import { Closed } from "../../config/schema.ts";

const Qos = (description: string) => Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], { default: 1, description });

export const BotMqttSchema = Closed(
  {
    topic: Type.String({
      minLength: 1,
      description:
        "A template of the topic to publish to (`zigbee2mqtt/{{ match.room }}/set`). Its literal text has no wildcards (`+`, `#`), and a value it prints must stay one level (no `/`, `+`, `#`): such a value fails the command, so nothing a sender writes can publish elsewhere.",
    }),
    payload: Type.Union([Type.String(), Type.Record(Type.String(), Type.Unknown()), Type.Array(Type.Unknown())], {
      default: "",
      description:
        'The payload. A mapping or list is JSON the gateway writes (`{ state: "{{ match.state | upcase }}" }`): each string in it is a template whose output stays a JSON string, except one that is exactly `{{ expr }}` printing a number or boolean; no value can add keys. A string is a text template sent as UTF-8; JSON written as text must print values with `| json`.',
    }),
    qos: Qos("MQTT QoS (0, 1 or 2): at 1 and 2 the reply waits for the broker's acknowledgement (PUBACK, PUBCOMP)."),
    retain: Type.Boolean({ default: false, description: "Publish as a retained message: the broker keeps it for later subscribers." }),
  },
  "A message the command publishes to the broker of `mqtt:` (docs/mqtt.md), after its http: call when it has one. Needs the top-level `mqtt:` section.",
);

export const BotWatchSchema = Closed(
  {
    topic: Type.String({
      minLength: 1,
      description: "The topic filter to watch (MQTT wildcards: `+` one level, `#` the rest, last): `zigbee2mqtt/+`, `tele/+/SENSOR`.",
    }),
    qos: Qos("The subscription's QoS: at 1 a message is acknowledged to the broker only once what it sends is delivered or queued."),
  },
  "A topic the job watches instead of a schedule: each message runs it (retained messages the broker holds at subscribe time do not).",
);
