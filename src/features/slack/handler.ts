/**
 * One incoming-webhook request: auth (when the route has it) -> the payload -> a Notification ->
 * one chat message per recipient, sent or queued in the outbox -> `200 ok`. Everything that can
 * refuse the request is checked before the first message goes, so a refusal sends nothing.
 */
import { GatewayError } from "../../plugin-api/errors.ts";
import { requireMayAddress } from "../../kit/auth.ts";
import { xml } from "../../kit/xml.ts";
import type { Notification } from "../../notify/notification.ts";
import { notificationText } from "../../notify/render.ts";
import type { FormatPorts } from "../../notify/ports.ts";
import { sendNotification } from "../../notify/send.ts";
import type { HttpHandler } from "../../plugin-api/index.ts";
import { ok, refusal } from "./answer.ts";
import { readPayload } from "./payload.ts";
import { readMessage } from "./read.ts";
import type { FormatRouteConfig } from "./schema.ts";

export interface WebhookDeps extends FormatPorts {
  /** xmpp.max_stanza_bytes: the server closes the stream on a larger stanza. */
  maxStanzaBytes: number;
}

/** What a chat message holds besides its body and addresses: tags, type, ids, origin-id (XEP-0359). */
const ENVELOPE_BYTES = 256;

export function webhookHandler(route: FormatRouteConfig, deps: WebhookDeps): HttpHandler {
  return async function serveIncomingWebhook({ request, ip }) {
    try {
      const user = deps.auth ? await deps.auth.authenticate(request, ip) : undefined;
      for (const jid of route.to) requireMayAddress(user, jid);
      const notification = readMessage(await readPayload(request, deps.maxBodyBytes, route.kind));
      checkFits(notification, route.to, deps);
      await sendNotification(notification, route.to, deps);
      return ok();
    } catch (err) {
      // Anything else is a fault: rethrown so the HTTP layer logs it with its stack.
      if (!(err instanceof GatewayError)) throw err;
      return refusal(route.kind, err);
    }
  };
}

/**
 * The message to the longest address must fit the server's limit, checked before any is sent:
 * the outbox's own check (xmpp/stanza-guard.ts) would refuse it only when its turn came.
 */
function checkFits(n: Notification, to: readonly string[], deps: WebhookDeps): void {
  const body = Buffer.byteLength(xml("body", {}, notificationText(n)).toString());
  const addresses = Math.max(...to.map((jid) => Buffer.byteLength(jid))) + Buffer.byteLength(deps.component);
  const size = body + addresses + ENVELOPE_BYTES;
  if (size > deps.maxStanzaBytes) throw new GatewayError("STANZA_TOO_LARGE", undefined, { details: { size, limit: deps.maxStanzaBytes } });
}
