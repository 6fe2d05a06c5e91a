/** How a gotify route describes its two operations in the OpenAPI document (Gotify's own spec, spec.json, says the same). */
import type { ServedRoute } from "../../feature-api.ts";
import { operationId } from "../../http/openapi.ts";
import { messagePath, type GotifyRoute } from "./schema.ts";

type Json = Record<string, unknown>;

const GOTIFY_ERROR = {
  description: "Gotify's error shape",
  content: {
    "application/json": {
      schema: {
        type: "object",
        required: ["error", "errorCode", "errorDescription"],
        properties: { error: { type: "string" }, errorCode: { type: "integer" }, errorDescription: { type: "string" } },
      },
    },
  },
};

const MESSAGE = {
  type: "object",
  required: ["message"],
  properties: {
    message: { type: "string" },
    title: { type: "string" },
    priority: { type: "integer", description: "0 to 10 (Gotify); 8 and above are marked." },
    extras: { type: "object", description: "JSON only: client::display.contentType, client::notification.click.url." },
  },
};

const CREATED = {
  type: "object",
  required: ["id", "appid", "message", "title", "priority", "date"],
  properties: {
    id: { type: "integer" },
    appid: { type: "integer" },
    message: { type: "string" },
    title: { type: "string" },
    priority: { type: "integer" },
    extras: { type: "object" },
    date: { type: "string", format: "date-time" },
  },
};

const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [String(s), GOTIFY_ERROR]));

export function gotifyOperation(route: GotifyRoute, served: ServedRoute): Json {
  const token = {
    name: "token",
    in: "query",
    required: false,
    schema: { type: "string" },
    description: "The token (or X-Gotify-Key, or Authorization: Bearer).",
  };
  if (served.path === messagePath(route))
    return {
      operationId: operationId(served.method, served.path),
      summary: "Gotify: send a message",
      parameters: [token],
      requestBody: {
        required: true,
        content: {
          "application/json": { schema: MESSAGE },
          "application/x-www-form-urlencoded": { schema: MESSAGE },
          "multipart/form-data": { schema: MESSAGE },
        },
      },
      responses: {
        "200": { description: "Sent, or queued in the outbox", content: { "application/json": { schema: CREATED } } },
        ...errors(400, 401, 403, 413, 415, 503),
      },
    };
  return {
    operationId: operationId(served.method, served.path),
    summary: "Gotify: withdraw a message (XEP-0424)",
    responses: { "200": { description: "Withdrawn" }, ...errors(400, 401, 403, 404, 503) },
  };
}
