/**
 * The ntfy route's handlers: publish to `<path>/<topic>` (PUT or POST, the body is the message),
 * JSON publish to `<path>`, publish by GET (`<path>/<topic>/publish?message=`), and withdraw
 * (`DELETE <path>/<topic>/<sequence id>`). Each checks the caller, finds the topic's recipients,
 * reads the publish as ntfy does, and delivers it (sent, or queued in the outbox: never lost), then
 * answers 200 with ntfy's message JSON: Apprise and ntfy's clients need exactly 200.
 */
import { GatewayError, errorResponse, jsonResponse } from "../../plugin-api/errors.ts";
import type { HttpHandler } from "../../plugin-api/index.ts";
import type { Authenticator, Identity } from "../../auth/types.ts";
import { requireMayAddress } from "../../kit/auth.ts";
import { readBytes } from "../../kit/request-body.ts";
import { isXmlText } from "../../kit/xml-text.ts";
import { notificationText } from "../../notify/render.ts";
import { retractNotification, sendNotification, type NotifyPorts } from "../../notify/send.ts";
import { withNtfyAuthorization } from "./auth.ts";
import { NTFY, asNtfy, ntfyError } from "./errors.ts";
import { JSON_LIMIT, readJsonPublish } from "./json-publish.ts";
import { notificationOf } from "./notification.ts";
import { paramsOf } from "./params.ts";
import { DISALLOWED, MESSAGE_LIMIT, NAME, readPublish, sequenceIdOf, type Publish } from "./publish.ts";
import { messageJson, newMessageId } from "./message-json.ts";
import type { Sequences } from "./sequences.ts";
import type { NtfyRoute } from "./schema.ts";

export interface NtfyDeps {
  auth: Authenticator | undefined;
  notify: NotifyPorts;
  sequences: Sequences;
  /** How long a sequence id is remembered: the message's `expires`. */
  ttlS: number;
  now?: () => number;
  /**
   * Whether a topic is another route's (its path starts as theirs: CoreRegistrar.claims). Its
   * URL is answered as theirs; a JSON publish naming it is refused as a disallowed topic.
   */
  claimed?: (topic: string) => boolean;
}

export function ntfyHandlers(route: NtfyRoute, deps: NtfyDeps) {
  const guarded = (
    serve: (request: Request, params: Record<string, string>, user: Identity | undefined) => Promise<Response>,
  ): HttpHandler =>
    async function serveNtfy({ request, params, ip }) {
      try {
        const authorized = deps.auth ? withNtfyAuthorization(request) : request;
        const user = deps.auth ? await deps.auth.authenticate(authorized, ip) : undefined;
        return await serve(authorized, params, user);
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        return errorResponse(asNtfy(err));
      }
    };
  const query = (request: Request) => new URL(request.url).searchParams;
  return {
    topic: guarded(async (request, params, user) => {
      const topic = topicOf(params.topic);
      const body = await messageBody(request);
      return publish(readPublish(topic, paramsOf(request.headers, query(request)), body, params.sequence_id), user);
    }),
    json: guarded(async (request, _params, user) => {
      const text = await jsonBody(request);
      const { topic, message, params } = readJsonPublish(text, paramsOf(request.headers, query(request)));
      // ntfy publishes the JSON's message as a body: past the message limit it is a file too.
      if (Buffer.byteLength(message) > MESSAGE_LIMIT) throw ntfyError(NTFY.attachmentsDisallowed);
      if (deps.claimed?.(topic)) throw ntfyError(NTFY.topicDisallowed, `${topic} is another route's path`);
      return publish(readPublish(topicOf(topic), params, message), user);
    }),
    get: guarded(async (request, params, user) => {
      return publish(readPublish(topicOf(params.topic), paramsOf(request.headers, query(request)), ""), user);
    }),
    withdraw: guarded(async (_request, params) => withdraw(topicOf(params.topic), sequenceIdOf(params.sequence_id ?? "") ?? "")),
  };

  function topicOf(name: string | undefined): string {
    if (name === undefined || !NAME.test(name)) throw ntfyError(NTFY.topicInvalid);
    if (DISALLOWED.has(name)) throw ntfyError(NTFY.topicDisallowed);
    return name;
  }

  function recipientsOf(topic: string): readonly string[] {
    const to = route.topics[topic] ?? route.to;
    if (!to) throw ntfyError(NTFY.notFound, `topic ${topic} has no recipients (not under topics:, and the route has no to:)`);
    return to;
  }

  async function publish(p: Publish, user: Identity | undefined): Promise<Response> {
    const to = recipientsOf(p.topic);
    for (const jid of to) requireMayAddress(user, jid);
    const notification = notificationOf(p);
    if (!isXmlText(notificationText(notification)))
      throw ntfyError(NTFY.badRequest, "the message, title or tags hold characters XML cannot carry (control characters, U+FFFE, U+FFFF)");
    const id = newMessageId();
    const sequence = p.sequenceId ?? id;
    const replaces = p.sequenceId ? deps.sequences.first(p.topic, p.sequenceId) : undefined;
    const sent = await sendNotification(notification, to, deps.notify, replaces);
    const time = Math.floor((deps.now?.() ?? Date.now()) / 1000);
    const unsaved = remember(() => deps.sequences.remember(p.topic, sequence, sent.ids));
    return jsonResponse(200, { ...messageJson(p, { id, time, expires: time + deps.ttlS }), ...unsaved });
  }

  async function withdraw(topic: string, sequenceId: string): Promise<Response> {
    const first = deps.sequences.first(topic, sequenceId);
    if (!first)
      throw ntfyError(NTFY.notFound, `no message with sequence ID ${sequenceId} in topic ${topic} (withdrawn already, or forgotten)`);
    await retractNotification(first, deps.notify);
    const unsaved = remember(() => deps.sequences.forget(topic, sequenceId));
    const time = Math.floor((deps.now?.() ?? Date.now()) / 1000);
    return jsonResponse(200, { id: newMessageId(), time, event: "message_delete", topic, sequence_id: sequenceId, ...unsaved });
  }
}

/**
 * After delivery a failed write to the store is said in the 200, never turned into an error: the
 * message went, and a sender retrying would send it twice. The store's health reports it.
 */
function remember(write: () => void): { sequence_saved?: false } {
  try {
    write();
    return {};
  } catch {
    return { sequence_saved: false };
  }
}

/** ntfy's case 7: a body past the message limit, or not UTF-8, is a file, and this gateway stores none. */
async function messageBody(request: Request): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readBytes(request, MESSAGE_LIMIT);
  } catch (err) {
    if (err instanceof GatewayError && err.code === "BODY_TOO_LARGE") throw ntfyError(NTFY.attachmentsDisallowed);
    throw err;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw ntfyError(NTFY.attachmentsDisallowed);
  }
}

async function jsonBody(request: Request): Promise<string> {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(await readBytes(request, JSON_LIMIT));
  } catch (err) {
    if (err instanceof GatewayError && err.code === "BODY_TOO_LARGE") throw ntfyError(NTFY.jsonTooLarge);
    if (err instanceof GatewayError) throw err;
    throw ntfyError(NTFY.jsonInvalid);
  }
}
