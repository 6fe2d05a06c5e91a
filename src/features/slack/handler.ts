/**
 * One incoming-webhook request: auth (when the route has it) -> the payload -> a Notification ->
 * one chat message per recipient, sent or queued in the outbox -> `200 ok`. Everything that can
 * refuse the request is checked before the first message goes, so a refusal sends nothing: the
 * size of every message too, by the check every format shares (notify/send.ts, STANZA_TOO_LARGE
 * as msg_too_long).
 */
import { GatewayError } from "../../plugin-api/errors.ts";
import { requireMayAddress } from "../../kit/auth.ts";
import type { FormatPorts } from "../../notify/ports.ts";
import { sendNotification } from "../../notify/send.ts";
import { fileSender, viaStore } from "../../notify/incoming-files.ts";
import { withRequestFiles } from "../../files/request-files.ts";
import type { HttpHandler } from "../../plugin-api/index.ts";
import { ok, refusal } from "./answer.ts";
import { readPayload } from "./payload.ts";
import { readMessage } from "./read.ts";
import type { FormatRouteConfig } from "./schema.ts";

export interface WebhookDeps extends FormatPorts {
  /** xmpp.max_stanza_bytes: the server closes the stream on a larger stanza. */
  maxStanzaBytes: number;
}

export function webhookHandler(route: FormatRouteConfig, deps: WebhookDeps): HttpHandler {
  return async function serveIncomingWebhook({ request, ip }) {
    try {
      const user = deps.auth ? await deps.auth.authenticate(request, ip) : undefined;
      for (const jid of route.to) requireMayAddress(user, jid);
      const notification = readMessage(await readPayload(request, deps.maxBodyBytes, route.kind));
      await withRequestFiles(deps.files, async (files) => {
        const attachments = await viaStore(files, notification.attachments, fileSender(user, ip));
        await sendNotification({ ...notification, attachments }, route.to, deps);
      });
      return ok();
    } catch (err) {
      // Anything else is a fault: rethrown so the HTTP layer logs it with its stack.
      if (!(err instanceof GatewayError)) throw err;
      return refusal(route.kind, err);
    }
  };
}
