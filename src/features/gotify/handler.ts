/**
 * The two requests of a gotify route: POST <path>message sends a notification to the route's
 * recipients and answers Gotify's created message; DELETE <path>message/<id> withdraws it.
 * Every refusal is in Gotify's error shape (errors.ts), since the sender reads that shape.
 */
import { GatewayError, jsonResponse } from "../../plugin-api/errors.ts";
import type { Authenticator, Identity } from "../../auth/types.ts";
import type { HttpHandler, HttpRequest } from "../../plugin-api/index.ts";
import { requireMayAddress } from "../../kit/auth.ts";
import { retractNotification, sendNotification, type NotifyPorts } from "../../notify/send.ts";
import { otherSender } from "../../notify/same-sender.ts";
import type { FilesPort } from "../../files/types.ts";
import { fileSender, viaStore } from "../../notify/incoming-files.ts";
import { withRequestFiles } from "../../files/request-files.ts";
import { GOTIFY_ERRORS, gotifyError } from "./errors.ts";
import type { GotifyMessages } from "./messages.ts";
import { gotifyNotification } from "./notification.ts";
import { readGotifyMessage } from "./read.ts";
import type { GotifyRoute } from "./schema.ts";
import { authRequest } from "./token.ts";

export interface GotifyDeps extends NotifyPorts {
  auth: Authenticator;
  messages: GotifyMessages;
  maxBodyBytes: number;
  /** Where bigImageUrl goes when attachments.remote fetches (src/files/); a link otherwise. */
  files: FilesPort | undefined;
  /** Gotify's application id for a token holder: its place in the scheme's list, from 1. */
  appId(holder: string): number;
  now(): Date;
  /** A message went but could not be remembered: it cannot be deleted later (said in the log). */
  unsaved(err: unknown): void;
  /** DELETE of a message another replica sent (`from`): forgotten, not withdrawn (said in the log, counted). */
  notRetracted(from: string): void;
}

/** Runs `serve`, answering every GatewayError in Gotify's shape; any other throw is a fault (500). */
function gotifyShaped(serve: (req: HttpRequest, url: URL) => Promise<Response>): HttpHandler {
  return async (req) => {
    try {
      return await serve(req, new URL(req.request.url));
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return gotifyError(err);
    }
  };
}

async function authenticate(req: HttpRequest, url: URL, route: GotifyRoute, deps: GotifyDeps): Promise<Identity> {
  const user = await deps.auth.authenticate(authRequest(req.request, url), req.ip);
  for (const jid of route.to) requireMayAddress(user, jid);
  return user;
}

export function createMessageHandler(route: GotifyRoute, deps: GotifyDeps): HttpHandler {
  return gotifyShaped(async function serveGotifyMessage(req, url) {
    const user = await authenticate(req, url, route, deps);
    const query = Object.fromEntries([...url.searchParams].filter(([name]) => name !== "token"));
    const message = await readGotifyMessage(req.request, deps.maxBodyBytes, query);
    const id = await deps.messages.allocate();
    const read = gotifyNotification(message, user.name);
    const { notification, sent } = await withRequestFiles(deps.files, async (files) => {
      const notification = { ...read, attachments: await viaStore(files, read.attachments, fileSender(user, req.ip)) };
      return { notification, sent: await sendNotification(notification, route.to, deps) };
    });
    try {
      await deps.messages.remember(id, { by: user.name, ids: sent.ids, from: deps.component });
    } catch (err) {
      deps.unsaved(err);
    }
    // Gotify answers 200 (api/message.go); apprise fails on any other 2xx. Queued counts: never lost.
    return jsonResponse(200, {
      id,
      appid: deps.appId(user.name),
      message: message.message,
      title: notification.title,
      priority: message.priority ?? 0,
      ...(message.extras ? { extras: message.extras } : {}),
      date: deps.now().toISOString(),
    });
  });
}

/**
 * Gotify lets only a client token delete (router.go's client group); Stanzagate has application
 * tokens alone, so the token that sent a message may withdraw it, and no other: another holder's
 * id is "message does not exist", as another user's is in Gotify.
 */
export function deleteMessageHandler(route: GotifyRoute, deps: GotifyDeps): HttpHandler {
  return gotifyShaped(async function serveGotifyDelete(req, url) {
    const user = await authenticate(req, url, route, deps);
    const raw = req.params.id ?? "";
    if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) throw new GatewayError(GOTIFY_ERRORS.GOTIFY_INVALID_ID);
    const id = Number(raw);
    const sent = await deps.messages.recall(id);
    if (!sent || sent.by !== user.name) throw new GatewayError(GOTIFY_ERRORS.GOTIFY_UNKNOWN_MESSAGE);
    // XEP-0424 §6: a client honours a retraction from the original sender only. Another replica
    // (another component domain) would send one that clients show as a stray "withdrawn" line.
    const other = otherSender(sent.from, deps.component);
    if (other === undefined) await retractNotification(sent.ids, deps);
    else deps.notRetracted(other);
    try {
      await deps.messages.forget(id);
    } catch (err) {
      deps.unsaved(err);
    }
    return new Response(null, { status: 200 });
  });
}
