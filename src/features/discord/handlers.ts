/**
 * The HTTP side of one discord webhook, as Discord serves it (resources/webhook.mdx):
 *
 * (`<path>` is `<prefix>/<token>`: hooks.ts finds the webhook by its token)
 *
 * (`<path>` is `<prefix>/<token>`: hooks.ts finds the webhook by its token)
 *
 *   GET    <path>                       the webhook object (Uptime Kuma asks before every send)
 *   POST   <path>[?wait=true]           execute: 204, or 200 with the message object
 *   GET    <path>/messages/<id>         the message object of a message sent with ?wait=true
 *   PATCH  <path>/messages/<id>         edit: an XEP-0308 correction of what each recipient saw
 *   DELETE <path>/messages/<id>         delete: an XEP-0424 retraction, 204
 *
 * Everything is checked before anything is sent (the payload, the credential's recipients), so
 * a refusal sends nothing. A 2xx means delivered or queued in the outbox, which Discord's senders
 * (any 2xx) take as done.
 */
import type { Authenticator } from "../../auth/types.ts";
import type { HttpHandler, HttpRequest, Identity } from "../../plugin-api/index.ts";
import { requireMayAddress } from "../../kit/auth.ts";
import { jsonResponse } from "../../plugin-api/errors.ts";
import { retractNotification, sendNotification, type NotifyPorts } from "../../notify/send.ts";
import { rememberedAfter } from "../../notify/attachments.ts";
import { otherSender } from "../../notify/same-sender.ts";
import type { Attachment, FilesPort } from "../../files/types.ts";
import { fileSender, remoteAttachments, storeParts } from "../../notify/incoming-files.ts";
import { withRequestFiles } from "../../files/request-files.ts";
import { discordFailure, invalidFormBody, unknownMessage } from "./errors.ts";
import { messageObject, webhookObject, type WebhookIdentity } from "./objects.ts";
import { checkPayload, type DiscordMessage } from "./payload.ts";
import { embedImages, notificationOf } from "./read.ts";
import { readDiscordBody } from "./request.ts";
import type { DiscordRoute } from "./route.ts";
import type { SentMessage, SentMessages } from "./sent.ts";

export interface DiscordDeps {
  auth: Authenticator | undefined;
  notify: NotifyPorts;
  maxBodyBytes: number;
  /** Where the request's files go (src/files/): undefined when attachments are off. */
  files: FilesPort | undefined;
  sent: SentMessages;
  hook: WebhookIdentity;
  snowflake(): string;
  now(): Date;
  /** A message went but could not be remembered (the store): said in the log, not to the sender. */
  unsaved(id: string, err: unknown): void;
  /** DELETE of a message another replica sent (`from`): forgotten, not withdrawn (said in the log, counted). */
  notRetracted(id: string, from: string): void;
}

/** `deps` with this request's files (files/request-files.ts: forgotten when the request is refused). */
type Handler = (req: HttpRequest, user: Identity | undefined, deps: DiscordDeps) => Promise<Response>;

/** One webhook's handlers, by what they serve (hooks.ts registers them below its prefix). */
export type DiscordHandlers = Record<"webhook" | "execute" | "message" | "edit" | "remove", HttpHandler>;

export function discordHandlers(route: DiscordRoute, deps: DiscordDeps): DiscordHandlers {
  const guarded =
    (handler: Handler): HttpHandler =>
    async (req) => {
      try {
        const user = deps.auth ? await deps.auth.authenticate(req.request, req.ip) : undefined;
        return await withRequestFiles(deps.files, (files) => handler(req, user, { ...deps, files }));
      } catch (err) {
        return discordFailure(err);
      }
    };
  return {
    webhook: guarded(async () => jsonResponse(200, webhookObject(deps.hook, "Stanzagate"))),
    execute: guarded((req, user, scoped) => execute(route, scoped, req, user)),
    message: guarded(async ({ params }) => answer(deps, await known(deps, params), params.message_id as string)),
    edit: guarded((req, user, scoped) => edit(scoped, req, user)),
    remove: guarded(async ({ params }) => {
      const id = params.message_id as string;
      const sent = await known(deps, params);
      // XEP-0424 §6: clients honour a retraction from the original sender only; another replica's
      // (another component domain) would leave the message and add a stray "withdrawn" line.
      const other = otherSender(sent.from, deps.notify.component);
      if (other === undefined) await retractNotification(sent.ids, deps.notify);
      else deps.notRetracted(id, other);
      await deps.sent.delete(id);
      return new Response(null, { status: 204 });
    }),
  };
}

async function execute(route: DiscordRoute, deps: DiscordDeps, req: HttpRequest, user: Identity | undefined): Promise<Response> {
  const { request } = req;
  // Refused before a byte of a file is stored.
  for (const jid of route.to) requireMayAddress(user, jid);
  const sender = fileSender(user, req.ip);
  const { fields, files } = await readDiscordBody(request, deps.maxBodyBytes, storeParts(deps.files, sender));
  const message = checked(fields);
  const { ids } = await sendNotification(notificationOf(message, await withImages(deps, message, files, sender)), route.to, deps.notify);
  if (!waits(request)) return new Response(null, { status: 204 });
  const id = deps.snowflake();
  const sent: SentMessage = { ids, message, files, timestamp: deps.now().toISOString(), edited: null, from: deps.notify.component };
  await remember(deps, id, sent);
  return answer(deps, sent, id);
}

/** PATCH: the fields it names replace the message's (null clears one); the rest stays as sent. */
async function edit(deps: DiscordDeps, req: HttpRequest, user: Identity | undefined): Promise<Response> {
  const { request, params } = req;
  const id = params.message_id as string;
  const before = await known(deps, params);
  const sender = fileSender(user, req.ip);
  const { fields, files } = await readDiscordBody(request, deps.maxBodyBytes, storeParts(deps.files, sender));
  const patch = checked(fields);
  const message: DiscordMessage = { ...before.message };
  for (const key of ["content", "embeds"] as const) {
    if (fields[key] === null) delete message[key];
    else if (patch[key] !== undefined) Object.assign(message, { [key]: patch[key] });
  }
  const all = [...before.files, ...files];
  const attachments = await withImages(deps, message, all, sender);
  // XEP-0308 §5: a correction from another sender is ignored; another replica's message (another
  // component domain) is edited by a new one, which later edits correct.
  const replaces = otherSender(before.from, deps.notify.component) === undefined ? before.ids : undefined;
  const sent = await sendNotification(notificationOf(message, attachments), Object.keys(before.ids), deps.notify, replaces);
  const ids = rememberedAfter(replaces, sent.ids);
  const after: SentMessage = { ...before, ids, message, files: all, edited: deps.now().toISOString(), from: deps.notify.component };
  await remember(deps, id, after);
  return answer(deps, after, id);
}

/** The request's files, then the embeds' images given by URL (links, or fetched where attachments.remote says). */
async function withImages(deps: DiscordDeps, message: DiscordMessage, files: Attachment[], sender: string): Promise<Attachment[]> {
  return [...files, ...(await remoteAttachments(deps.files, embedImages(message), sender, files.length))];
}

function checked(fields: Record<string, unknown>): DiscordMessage {
  const result = checkPayload(fields);
  if ("problems" in result) throw invalidFormBody(result.problems);
  return result.message;
}

async function known(deps: DiscordDeps, params: Record<string, string>): Promise<SentMessage> {
  const sent = await deps.sent.get(params.message_id ?? "");
  if (!sent) throw unknownMessage();
  return sent;
}

/** After delivery a failed write is no refusal: the message went, and a retry would send it twice. */
async function remember(deps: DiscordDeps, id: string, sent: SentMessage): Promise<void> {
  try {
    await deps.sent.set(id, sent);
  } catch (err) {
    deps.unsaved(id, err);
  }
}

const answer = (deps: DiscordDeps, sent: SentMessage, id: string) =>
  jsonResponse(200, messageObject(deps.hook, sent.message, { id, timestamp: sent.timestamp, edited: sent.edited }, sent.files));

/** `?wait=true` (Discord reads true/false; 1 and True are what Python senders write). */
const waits = (request: Request) => /^(true|1)$/i.test(new URL(request.url).searchParams.get("wait") ?? "");
