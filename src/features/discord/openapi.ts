/** How a discord route describes its five operations in the OpenAPI document. */
import { ERROR, operationId } from "../../http/openapi.ts";
import type { ServedRoute } from "../../feature-api.ts";
import { messagePattern, type DiscordRoute } from "./route.ts";

type Json = Record<string, unknown>;

const SUMMARIES: Record<string, string> = {
  "GET webhook": "Discord's webhook object (Get Webhook with Token)",
  "POST webhook": "Execute Webhook: content, embeds[], username; or multipart/form-data with payload_json and files",
  "GET message": "A message sent with ?wait=true",
  "PATCH message": "Edit Webhook Message: an XEP-0308 correction",
  "DELETE message": "Delete Webhook Message: an XEP-0424 retraction",
};

const MESSAGE_OBJECT = {
  "200": { description: "Discord's message object", content: { "application/json": { schema: { type: "object" } } } },
};

export function discordOperation(route: DiscordRoute, served: ServedRoute): Json {
  const which = served.path === messagePattern(route.prefix) ? "message" : "webhook";
  const responses: Json = { "400": ERROR, "404": ERROR, "413": ERROR, "503": ERROR, ...(route.auth ? { "401": ERROR, "429": ERROR } : {}) };
  // Files (issue 21): a sender's rate (FILES_RATE) and a full store (FILES_QUOTA, FILES_STORE_FULL).
  if (served.method === "POST" || served.method === "PATCH") Object.assign(responses, { "429": ERROR, "507": ERROR });
  if (served.method === "POST") {
    Object.assign(responses, MESSAGE_OBJECT, { "204": { description: "Sent or queued (without ?wait=true)" } });
  } else if (served.method === "DELETE") responses["204"] = { description: "Withdrawn" };
  else Object.assign(responses, MESSAGE_OBJECT);
  return {
    operationId: operationId(served.method, served.path),
    summary: SUMMARIES[`${served.method} ${which}`] ?? `discord ${route.prefix}/{token}`,
    ...(served.method === "POST" || served.method === "PATCH"
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: { type: "object" } }, "multipart/form-data": { schema: { type: "object" } } },
          },
        }
      : {}),
    responses,
  };
}
