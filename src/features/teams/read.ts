/**
 * What a Teams webhook receives, told apart by its JSON:
 * - Workflows ("When a Teams webhook request is received"): `{"type": "message", "attachments":
 *   [{"contentType": "application/vnd.microsoft.card.adaptive", "content": <Adaptive Card>}]}`,
 *   as Grafana and Uptime Kuma send it; a bare Adaptive Card is taken too;
 * - the legacy connector: a MessageCard (`@type` or `type`: `MessageCard`).
 * Anything else, or a card with nothing to show, is INVALID_BODY saying what was expected.
 */
import { GatewayError } from "../../plugin-api/errors.ts";
import { isRecord } from "../../kit/bounded.ts";
import { readJsonObject } from "../../kit/request-body.ts";
import type { Notification } from "../../notify/notification.ts";
import { adaptiveCardNotification } from "./adaptive-card.ts";
import { isMessageCard, messageCardNotification } from "./message-card.ts";

const ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive";

export type TeamsPayload = { shape: "connector"; card: Record<string, unknown> } | { shape: "workflows"; message: Record<string, unknown> };

type Json = Record<string, unknown>;

/** Any Content-Type: the JSON decides (curl users often leave it out). */
export async function readTeamsPayload(request: Request, maxBytes: number): Promise<TeamsPayload> {
  const json = await readJsonObject(request, maxBytes);
  return isMessageCard(json) ? { shape: "connector", card: json } : { shape: "workflows", message: json };
}

export function teamsNotification(payload: TeamsPayload): Notification {
  if (payload.shape === "connector") {
    return messageCardNotification(payload.card);
  }
  const cards = adaptiveCards(payload.message);
  if (!cards.length)
    throw new GatewayError(
      "INVALID_BODY",
      `Expected a Workflows message ({"type": "message", "attachments": [{"contentType": "${ADAPTIVE_CARD}", "content": {...}}]}) or a MessageCard ("@type": "MessageCard")`,
    );
  return adaptiveCardNotification(cards, typeof payload.message.summary === "string" ? payload.message.summary : "");
}

/**
 * A card with nothing a client would show (notify/send.ts NO_TEXT, also when its only link or
 * image is unsafe): the connector's own refusal (OfficeDev/outlook-dev-docs#423), or INVALID_BODY
 * in the Workflows shape.
 */
export function noText(shape: TeamsPayload["shape"]): GatewayError {
  return shape === "connector"
    ? new GatewayError("INVALID_BODY", "Summary or Text is required.")
    : new GatewayError("INVALID_BODY", "The Adaptive Card has no text, fact, image or link to show");
}

function adaptiveCards(message: Json): Json[] {
  if (message.type === "AdaptiveCard") return [message];
  if (message.type !== "message" || !Array.isArray(message.attachments)) return [];
  return message.attachments.flatMap((a) => (isRecord(a) && a.contentType === ADAPTIVE_CARD && isRecord(a.content) ? [a.content] : []));
}
