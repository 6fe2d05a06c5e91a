/** How a declarative route describes itself in the OpenAPI document: its body schema and answers. */
import type { CoreConfig } from "../../config/config-types.ts";
import { ERROR, jsonSchema, operationId } from "../../http/openapi.ts";
import type { DeclarativeRouteConfig } from "./types.ts";

type Json = Record<string, unknown>;

/** A `publish:` route's answer (publish.ts); 400 MQTT_TOPIC_INVALID and 503 MQTT_UNAVAILABLE are errors of every route's list. */
const PUBLISHED = {
  "201": {
    description: "Published: the MQTT broker acknowledged the message (QoS 1 and 2) or it was written to the connection (QoS 0)",
    content: {
      "application/json": {
        schema: {
          type: "object",
          required: ["status", "topic", "qos", "retain", "bytes"],
          properties: {
            status: { enum: ["published"] },
            topic: { type: "string" },
            qos: { enum: [0, 1, 2] },
            retain: { type: "boolean" },
            bytes: { type: "integer", description: "The payload's size." },
          },
        },
      },
    },
  },
};

export function declarativeOperation(route: DeclarativeRouteConfig, config: CoreConfig): Json {
  const iq = route.iq;
  const schema = route.body?.schema ?? { type: "object", additionalProperties: true };
  const body =
    route.method === "GET"
      ? {}
      : {
          requestBody: {
            required: route.body !== undefined,
            content: {
              "application/json": { schema: jsonSchema(schema) },
              "application/x-www-form-urlencoded": { schema: jsonSchema(schema) },
              "text/plain": { schema: { type: "string", description: "Taken as the field `text`." } },
              ...attachContent(route, schema),
            },
          },
        };
  const sent = { type: "object", required: ["status", "id"], properties: { status: { enum: ["sent", "queued"] }, id: { type: "string" } } };
  const answers = route.publish
    ? PUBLISHED
    : iq
      ? {
          "200": {
            description: "The iq's result (respond: shape, or type/from/stanza)",
            content: { "application/json": { schema: { type: "object" } }, "application/xml": { schema: { type: "string" } } },
          },
          "404": ERROR,
          "502": ERROR,
          "504": ERROR,
        }
      : {
          "201": { description: "Sent to the XMPP server", content: { "application/json": { schema: sent } } },
          "202": { description: "Queued in the outbox: the server is unreachable", content: { "application/json": { schema: sent } } },
        };
  return {
    operationId: operationId(route.method, route.path),
    summary: route.name,
    description: route.publish
      ? "Publishes one message to the MQTT broker (publish:), answered once the broker has it."
      : iq
        ? `Sends an iq and answers its reply (timeout ${route.timeoutMs ?? config.xmpp.iq_timeout_ms} ms).`
        : "Renders the stanza template and delivers it.",
    ...body,
    responses: {
      ...answers,
      "400": ERROR,
      ...(route.auth ? { "401": ERROR, "403": ERROR, "429": ERROR } : {}),
      "413": ERROR,
      "415": ERROR,
      "503": ERROR,
      ...(route.attach ? { "429": ERROR, "507": ERROR } : {}),
    },
  };
}

/** `attach:`: a multipart form whose file fields are the files, or any body that is the file (attach.ts). */
function attachContent(route: DeclarativeRouteConfig, schema: Parameters<typeof jsonSchema>[0]): Json {
  if (!route.attach) return {};
  const names = route.attach.filter((name) => name !== "body");
  const files = Object.fromEntries(names.map((name) => [name, { type: "string", format: "binary" }]));
  const fields = jsonSchema(schema) as { properties?: Json };
  const form = { type: "object", properties: { ...(fields.properties ?? {}), ...files } };
  const multipart = names.length ? { "multipart/form-data": { schema: form } } : {};
  const raw = route.attach.includes("body")
    ? { "*/*": { schema: { type: "string", format: "binary", description: "The file itself (name it with ?filename=)." } } }
    : {};
  return { ...multipart, ...raw };
}
