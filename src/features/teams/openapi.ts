/** How a teams route describes its operation in the OpenAPI document. */
import type { ServedRoute } from "../../feature-api.ts";
import { operationId } from "../../http/openapi.ts";
import { ADAPTIVE_CARD } from "./read.ts";
import type { TeamsRoute } from "./schema.ts";

type Json = Record<string, unknown>;

const WORKFLOWS_ERROR = {
  description: "Workflows' error shape, or the connector's text for a MessageCard",
  content: {
    "application/json": {
      schema: { type: "object", properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } } } } },
    },
    "text/plain": { schema: { type: "string" } },
  },
};

const CARD = {
  oneOf: [
    {
      title: "Workflows message",
      type: "object",
      required: ["type", "attachments"],
      properties: {
        type: { const: "message" },
        summary: { type: "string" },
        attachments: { type: "array", items: { type: "object", properties: { contentType: { const: ADAPTIVE_CARD }, content: { type: "object" } } } },
      },
    },
    { title: "MessageCard (legacy connector)", type: "object", properties: { "@type": { const: "MessageCard" }, title: { type: "string" }, text: { type: "string" } } },
  ],
};

export function teamsOperation(route: TeamsRoute, served: ServedRoute): Json {
  const auth = route.auth ? { "401": WORKFLOWS_ERROR, "403": WORKFLOWS_ERROR, "429": WORKFLOWS_ERROR } : {};
  return {
    operationId: operationId(served.method, served.path),
    summary: "Microsoft Teams webhook: post a card",
    requestBody: { required: true, content: { "application/json": { schema: CARD } } },
    responses: {
      "200": { description: "A MessageCard sent or queued: the body is `1`", content: { "text/plain": { schema: { const: "1" } } } },
      "202": { description: "A Workflows message sent or queued" },
      "400": WORKFLOWS_ERROR,
      ...auth,
      "413": WORKFLOWS_ERROR,
      "503": WORKFLOWS_ERROR,
    },
  };
}
