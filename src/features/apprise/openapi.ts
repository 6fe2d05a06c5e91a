/** How an apprise route describes its operations in the OpenAPI document: json://'s payload, and the Apprise API's. */
import type { ServedRoute } from "../../feature-api.ts";
import { ERROR, operationId } from "../../http/openapi.ts";
import { APPRISE_TYPES } from "./read.ts";
import type { AppriseRoute } from "./schema.ts";

type Json = Record<string, unknown>;

const TYPE = {
  enum: [...APPRISE_TYPES],
  description: "Shown as a badge: ✅ success, ⚠️ warning, ❌ failure (info, the default, has none).",
};

const JSON_PAYLOAD = {
  type: "object",
  properties: {
    version: { type: "string" },
    title: { type: "string" },
    message: { type: "string" },
    type: TYPE,
    attachments: {
      type: "array",
      items: {
        type: "object",
        properties: { filename: { type: "string" }, base64: { type: "string" }, mimetype: { type: "string" }, url: { type: "string" } },
      },
    },
  },
};

const API_PAYLOAD = {
  type: "object",
  properties: {
    body: { type: "string" },
    title: { type: "string" },
    type: TYPE,
    format: { enum: ["text", "markdown", "html"] },
    tag: {
      oneOf: [{ type: "string" }, { type: "array", items: { type: "string" } }],
      description: "Accepted; every notification goes to the route's `to`.",
    },
    attach: {
      oneOf: [{ type: "string" }, { type: "array", items: { type: "string" } }],
      description:
        "URLs: each a chat message of its own, an XEP-0066 link (fetched into the file store when attachments.remote.fetch is on).",
    },
  },
};

const API_ERROR = {
  description: "apprise-api's error: the sentence as text/plain, or {error, details: {code, field}} with Accept: application/json",
  content: {
    "text/plain": { schema: { type: "string" } },
    "application/json": { schema: { type: "object", properties: { error: { type: "string" }, details: { type: "object" } } } },
  },
};

export function appriseOperation(route: AppriseRoute, served: ServedRoute): Json {
  const auth = route.auth ? { "401": ERROR, "403": ERROR, "429": ERROR } : {};
  if (served.path === route.path)
    return {
      operationId: operationId(served.method, served.path),
      summary: "Apprise json://: send a notification",
      requestBody: { required: true, content: { "application/json": { schema: JSON_PAYLOAD } } },
      responses: {
        "201": { description: "Sent to the XMPP server" },
        "202": { description: "Queued in the outbox: the server is unreachable" },
        "400": ERROR,
        ...auth,
        "413": ERROR,
        "415": ERROR,
        "503": ERROR,
        // The file store is full (attachments.quota_bytes, or the disk).
        "507": ERROR,
      },
    };
  const apiAuth = route.auth ? { "401": API_ERROR, "403": API_ERROR, "429": API_ERROR } : {};
  return {
    operationId: operationId(served.method, served.path),
    summary: "Apprise API: send a notification",
    requestBody: {
      required: true,
      content: {
        "application/json": { schema: API_PAYLOAD },
        "application/x-www-form-urlencoded": { schema: API_PAYLOAD },
        // Newer Apprise sends its attachments as files: each goes into the file store (attach, attachN, attachment).
        "multipart/form-data": { schema: API_PAYLOAD },
      },
    },
    responses: {
      "200": { description: "Sent, or queued in the outbox (Apprise takes exactly 200)" },
      "400": API_ERROR,
      ...apiAuth,
      "404": API_ERROR,
      "415": API_ERROR,
      "431": API_ERROR,
      "503": API_ERROR,
      "507": API_ERROR,
    },
  };
}
