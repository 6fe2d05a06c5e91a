/** How a ntfy route describes itself in the OpenAPI document: ntfy's publish API, with ntfy's answers. */
import { operationId } from "../../http/openapi.ts";
import type { ServedRoute } from "../../feature-api.ts";
import type { NtfyRoute } from "./schema.ts";

type Json = Record<string, unknown>;

const NTFY_ERROR = {
  description: "ntfy's error",
  content: {
    "application/json": {
      schema: {
        type: "object",
        required: ["http", "error"],
        properties: { code: { type: "integer" }, http: { type: "integer" }, error: { type: "string" }, link: { type: "string" } },
      },
    },
  },
};

const MESSAGE = {
  description: "Delivered or queued: ntfy's message (event `message`, or `message_delete` for a DELETE)",
  content: { "application/json": { schema: { type: "object", required: ["id", "time", "event", "topic"] } } },
};

/** The subscribe API's answer (subscribe.ts): a stream of ntfy's events, or the cached ones with poll=1. */
const STREAM = {
  description:
    "ntfy's events: `open`, the cached ones since=, live `message` and `message_delete`, `keepalive` (poll=1: the cached ones, then the end)",
  content: {
    "application/x-ndjson": { schema: { type: "string" } },
    "text/event-stream": { schema: { type: "string" } },
    "text/plain": { schema: { type: "string" } },
  },
};

/** `GET <root>/:topic/json|sse|raw|ws`: the stream's kind, or undefined for another path. */
const streamOf = (r: ServedRoute): string | undefined =>
  r.method === "GET" ? r.path.match(/\/:topic\/(json|sse|raw|ws)$/)?.[1] : undefined;

function summary(route: NtfyRoute, r: ServedRoute): string {
  const stream = streamOf(r);
  if (stream) return `${route.name}: subscribe to topics (comma-separated) as ${stream === "ws" ? "a WebSocket" : stream}`;
  if (r.method === "DELETE") return `${route.name}: withdraw the message of a sequence id`;
  if (r.method === "GET") return `${route.name}: publish by GET (?message=, ?title=...)`;
  return r.path === route.path ? `${route.name}: publish JSON {topic, message, ...}` : `${route.name}: publish the body to a topic`;
}

export function ntfyOperation(route: NtfyRoute, r: ServedRoute): Json {
  const body =
    r.method === "POST" || r.method === "PUT"
      ? {
          requestBody: {
            content: r.path === route.path ? { "application/json": { schema: { type: "object" } } } : { "*/*": { schema: {} } },
          },
        }
      : {};
  return {
    operationId: operationId(r.method, r.path),
    summary: summary(route, r),
    ...body,
    responses: {
      "200": streamOf(r) ? STREAM : MESSAGE,
      "400": NTFY_ERROR,
      ...(route.auth ? { "401": NTFY_ERROR, "403": NTFY_ERROR, "429": NTFY_ERROR } : {}),
      "404": NTFY_ERROR,
      "413": NTFY_ERROR,
      "503": NTFY_ERROR,
    },
  };
}
