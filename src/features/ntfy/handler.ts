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
import type { Attachment, FilesPort, IncomingFile, StoredFile } from "../../files/types.ts";
import { withRequestFiles } from "../../files/request-files.ts";
import { readTopicBody } from "./file-body.ts";
import { isXmlText } from "../../kit/xml-text.ts";
import { notificationText } from "../../notify/render.ts";
import { retractNotification, sendNotification, type NotifyPorts } from "../../notify/send.ts";
import { rememberedAfter } from "../../notify/attachments.ts";
import { otherSender } from "../../notify/same-sender.ts";
import { withNtfyAuthorization } from "./auth.ts";
import { requireAccess } from "./access.ts";
import { NTFY, asNtfy, ntfyError } from "./errors.ts";
import { JSON_LIMIT, readJsonPublish } from "./json-publish.ts";
import { notificationOf } from "./notification.ts";
import { paramsOf } from "./params.ts";
import { DISALLOWED, MESSAGE_LIMIT, NAME, readPublish, sequenceIdOf, type Publish } from "./publish.ts";
import { messageJson, newMessageId, topicEventOf } from "./message-json.ts";
import type { Topics } from "../../topics/types.ts";
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
  /** Where a file body goes (src/files/); undefined when attachments are off: a file is then ntfy's 40014. */
  files?: FilesPort | undefined;
  /** The address a topic's messages come from (its XMPP address, check-writers.ts), else the component's domain. */
  fromOf?: (topic: string) => string | undefined;
  /** The topics' cache and live bus: every accepted publish and withdrawal reaches the topic's subscribers (issue 22). */
  topics?: Topics | undefined;
  /** A write to the store that failed after the message went: /health reports it (the 200 stays ntfy's). */
  failed?: (op: string, err: unknown) => void;
  /** DELETE of a sequence another replica began (`from`): forgotten, not withdrawn (said in the log, counted). */
  notRetracted?: (topic: string, from: string) => void;
}

/** Who publishes: the identity the scheme found; whom attachments.rate counts; where this request's files go. */
interface Publisher {
  user: Identity | undefined;
  sender: string;
  files: FilesPort | undefined;
}

export function ntfyHandlers(route: NtfyRoute, deps: NtfyDeps) {
  const guarded = (serve: (request: Request, params: Record<string, string>, by: Publisher) => Promise<Response>): HttpHandler =>
    async function serveNtfy({ request, params, ip }) {
      try {
        const authorized = deps.auth ? withNtfyAuthorization(request) : request;
        const user = deps.auth ? await deps.auth.authenticate(authorized, ip) : undefined;
        // Whom attachments.rate counts: the identity the scheme found, else the client address.
        return await withRequestFiles(deps.files, (files) => serve(authorized, params, { user, sender: user?.name ?? ip, files }));
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        return errorResponse(asNtfy(err));
      }
    };
  const query = (request: Request) => new URL(request.url).searchParams;
  return {
    topic: guarded(async (request, params, by) => {
      const topic = topicOf(params.topic);
      const p = paramsOf(request.headers, query(request));
      // Before a byte of a file is stored: who may publish here, and to whom.
      mayPublish(topic, by.user);
      const body = await readTopicBody(request, p);
      if ("text" in body) return publish(readPublish(topic, p, messageText(body.text), params.sequence_id), by);
      const file = await storeFile(body.file, by);
      return publish(readPublish(topic, p, "", params.sequence_id, file), by);
    }),
    json: guarded(async (request, _params, by) => {
      const text = await jsonBody(request);
      const { topic, message, params } = readJsonPublish(text, paramsOf(request.headers, query(request)));
      if (deps.claimed?.(topic)) throw ntfyError(NTFY.topicDisallowed, `${topic} is another route's path`);
      // ntfy publishes the JSON's message as a body: past the message limit it is a file too.
      if (Buffer.byteLength(message) <= MESSAGE_LIMIT) return publish(readPublish(topicOf(topic), params, message), by);
      mayPublish(topicOf(topic), by.user);
      const file = await storeFile({ body: new Blob([message]).stream(), name: "attachment.txt" }, by);
      return publish(readPublish(topicOf(topic), params, "", undefined, file), by);
    }),
    get: guarded(async (request, params, by) => {
      return publish(readPublish(topicOf(params.topic), paramsOf(request.headers, query(request)), ""), by);
    }),
    withdraw: guarded(async (_request, params, by) => {
      const topic = topicOf(params.topic);
      requireAccess(route.access, by.user, [topic], "write");
      return withdraw(topic, sequenceIdOf(params.sequence_id ?? "") ?? "");
    }),
  };

  function portsOf(topic: string): NotifyPorts {
    const from = deps.fromOf?.(topic);
    return from ? { ...deps.notify, component: from } : deps.notify;
  }

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

  function mayPublish(topic: string, user: Identity | undefined): readonly string[] {
    const to = recipientsOf(topic);
    requireAccess(route.access, user, [topic], "write");
    for (const jid of to) requireMayAddress(user, jid);
    return to;
  }

  /** A file body into the store; a gateway without one refuses it as a ntfy server without attachments does (40014). */
  async function storeFile(file: IncomingFile, { files, sender }: Publisher): Promise<StoredFile> {
    if (!files) {
      void file.body.cancel().catch(() => {});
      throw ntfyError(NTFY.attachmentsDisallowed, "set http.public_url to let this gateway keep files", "ATTACHMENTS_OFF");
    }
    return files.put(file, sender);
  }

  /** The file or the `Attach:` URL as the message after the text (a link unless attachments.remote.fetch). */
  async function attachmentsOf(p: Publish, { files, sender }: Publisher): Promise<Attachment[]> {
    if (p.file) return [{ kind: "file", file: p.file }];
    if (!p.attach) return [];
    return [files ? await files.remote(p.attach.url, sender, p.attach.name) : { kind: "link", ...p.attach }];
  }

  async function publish(p: Publish, by: Publisher): Promise<Response> {
    const to = mayPublish(p.topic, by.user);
    const attachments = await attachmentsOf(p, by);
    const notification = notificationOf(p, attachments);
    if (!isXmlText(notificationText(notification)))
      throw ntfyError(NTFY.badRequest, "the message, title or tags hold characters XML cannot carry (control characters, U+FFFE, U+FFFF)");
    const ports = portsOf(p.topic);
    const replaces = p.sequenceId ? await correctable(p.topic, p.sequenceId, ports.component) : undefined;
    const sent = await sendNotification(notification, to, ports, replaces);
    // Once delivered (or queued): the id the publisher is answered is the cursor its subscribers resume after.
    const at = await streamed(topicEventOf(p, attachments[0]));
    const sequence = p.sequenceId ?? at.id;
    const start = { ids: rememberedAfter(replaces, sent.ids), from: ports.component };
    await remember("remembering a ntfy sequence id", () => deps.sequences.remember(p.topic, sequence, start));
    return jsonResponse(200, messageJson(p, at, attachments[0]));
  }

  async function withdraw(topic: string, sequenceId: string): Promise<Response> {
    const first = await deps.sequences.first(topic, sequenceId);
    if (!first)
      throw ntfyError(NTFY.notFound, `no message with sequence ID ${sequenceId} in topic ${topic} (withdrawn already, or forgotten)`);
    const ports = portsOf(topic);
    // XEP-0424 §6: clients honour a retraction from the original sender only; another replica's
    // (another component domain) would leave the message and add a stray "withdrawn" line.
    const other = otherSender(first.from, ports.component);
    if (other === undefined) await retractNotification(first.ids, ports);
    else deps.notRetracted?.(topic, other);
    await remember("forgetting a ntfy sequence id", () => deps.sequences.forget(topic, sequenceId));
    const { id, time } = await streamed({ event: "message_delete", topic, sequence_id: sequenceId, source: "http" });
    return jsonResponse(200, { id, time, event: "message_delete", topic, sequence_id: sequenceId });
  }

  /**
   * The first messages a sequence's update corrects: none when another replica (another sender)
   * began it, since clients ignore its correction (XEP-0308 §5). The update is then a new message,
   * which the sequence goes on from.
   */
  async function correctable(topic: string, sequenceId: string, from: string): Promise<Record<string, string> | undefined> {
    const start = await deps.sequences.first(topic, sequenceId);
    return start && otherSender(start.from, from) === undefined ? start.ids : undefined;
  }

  /**
   * The event cached and streamed to the topic's subscribers, with the cache's `expires` (review
   * of issue 26, finding 18: the answer and the cached event say the same); without topics (unit
   * tests), a fresh id kept as long as its sequence id.
   */
  async function streamed(event: Parameters<Topics["publish"]>[0]): Promise<{ id: string; time: number; expires: number }> {
    if (deps.topics) {
      const e = await deps.topics.publish(event);
      return { id: e.id, time: e.time, expires: e.expires ?? e.time + deps.ttlS };
    }
    const time = Math.floor((deps.now?.() ?? Date.now()) / 1000);
    return { id: newMessageId(), time, expires: time + deps.ttlS };
  }

  /**
   * After delivery a failed write to the store is never turned into an error: the message went,
   * and a sender retrying would send it twice. /health reports the store degraded instead; a store
   * known to be down refused the publish before anything was sent (503, delivery.ts).
   */
  async function remember(op: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      deps.failed?.(op, err);
    }
  }
}

/** A body file-body.ts found to be the message; with `Attach:` it must be UTF-8 (ntfy's case 4). */
function messageText(bytes: Uint8Array): string {
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
