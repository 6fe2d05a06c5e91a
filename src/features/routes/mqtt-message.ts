/**
 * One MQTT message as an MQTT route's templates read it (issue 23 §2): `topic`, `wildcards` (the
 * levels the filter's `+` and `#` matched, in order), `body` (the payload parsed when it is JSON,
 * its text otherwise: the name HTTP routes use, so a template moves between the two), `retain`
 * and `properties` (MQTT 5 §3.3.2.3: userProperties, contentType, ...; binary ones as base64).
 */
import { GatewayError } from "../../plugin-api/errors.ts";
import { parsePayloadJson } from "../../mqtt/payload-json.ts";
import { matchTopic } from "../../mqtt/topic.ts";
import type { MqttMessage } from "../../mqtt/types.ts";

/** What a message gives the templates, plus `id` (the first stanza's), as HTTP routes have it. */
export const MQTT_ROOTS = ["topic", "wildcards", "body", "retain", "properties", "id"] as const;

export interface MqttScope {
  topic: string;
  wildcards: string[];
  body: unknown;
  retain: boolean;
  properties: Record<string, unknown>;
  id: string;
}

/** MQTT 5 §1.5.4 asks UTF-8 of strings only; a payload may be any bytes, so decoding is strict and can fail. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The scope of `message` for a route subscribed with `filter`, or undefined when its payload is not UTF-8 and the route refuses that. */
export function messageScope(message: MqttMessage, filter: string, binary: "refuse" | "base64", id: string): MqttScope | undefined {
  const text = textOf(message.payload, binary);
  if (text === undefined) return undefined;
  return {
    topic: message.topic,
    wildcards: matchTopic(filter, message.topic) ?? [],
    body: text.base64 ? text.value : bodyOf(text.value),
    retain: message.retain,
    properties: Object.fromEntries(Object.entries(message.properties).map(([k, v]) => [k, v instanceof Uint8Array ? base64(v) : v])),
    id,
  };
}

function textOf(payload: Uint8Array, binary: "refuse" | "base64"): { value: string; base64: boolean } | undefined {
  try {
    return { value: utf8.decode(payload), base64: false };
  } catch {
    return binary === "base64" ? { value: base64(payload), base64: true } : undefined;
  }
}

/** JSON (depth-bounded, as request bodies; big integers exact: payload-json.ts) when it parses, else the text as it came (Tasmota's `ON`). */
function bodyOf(text: string): unknown {
  try {
    return parsePayloadJson(text);
  } catch (err) {
    if (err instanceof GatewayError) return text;
    throw err;
  }
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
