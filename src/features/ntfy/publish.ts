/**
 * One ntfy publish, read as ntfy reads it (server/server.go `parsePublishParams` and
 * `handlePublishBody` of binwiederhier/ntfy v2.13): its parameters from headers or the query
 * string, its message from the body, checked with ntfy's errors. What this gateway cannot do
 * (e-mail, phone calls, scheduled delivery, templates; files while http.public_url is unset) is
 * refused as a ntfy server without that feature refuses it, never accepted and dropped.
 */
import { saysNothing } from "../../kit/xml-text.ts";
import type { StoredFile } from "../../files/types.ts";
import { NTFY, ntfyError } from "./errors.ts";
import { parseActions, type NtfyAction } from "./actions.ts";
import { commaList, isTrue, type ParamSource } from "./params.ts";

export interface Publish {
  topic: string;
  message: string;
  title: string | undefined;
  /** 1 (min) to 5 (max); undefined when not given (ntfy's default, 3). */
  priority: number | undefined;
  tags: string[];
  click: string | undefined;
  icon: string | undefined;
  /** An attachment by URL (`Attach:`): ntfy keeps the body as the message. */
  attach: { url: string; name: string } | undefined;
  /** The body as a file (file-body.ts), stored: its message is the one sent with it, or ntfy's "You received a file". */
  file: StoredFile | undefined;
  markdown: boolean;
  actions: NtfyAction[];
  sequenceId: string | undefined;
}

/** ntfy's topicRegex, also the shape of a sequence id. */
export const NAME = /^[-_A-Za-z0-9]{1,64}$/;
/** ntfy's DefaultDisallowedTopics: the paths of its own web app and API (and here /metrics). */
export const DISALLOWED: ReadonlySet<string> = new Set([
  "docs",
  "static",
  "file",
  "app",
  "metrics",
  "account",
  "settings",
  "signup",
  "login",
  "v1",
]);
/** ntfy's DefaultMessageSizeLimit: a longer body is an attachment. */
export const MESSAGE_LIMIT = 4096;
/** ntfy's emptyMessageBody. */
export const EMPTY_MESSAGE = "triggered";
const PRIORITIES: Readonly<Record<string, number>> = {
  1: 1,
  min: 1,
  2: 2,
  low: 2,
  3: 3,
  default: 3,
  4: 4,
  high: 4,
  5: 5,
  max: 5,
  urgent: 5,
};
/** ntfy's urlRegex. */
const HTTP_URL = /^https?:\/\//;

/** Checks a sequence id as ntfy checks topic names. */
export function sequenceIdOf(value: string): string | undefined {
  if (value === "") return undefined;
  if (!NAME.test(value)) throw ntfyError(NTFY.badRequest, "sequence ID invalid");
  return value;
}

export function readPublish(topic: string, p: ParamSource, body: string, pathSequenceId?: string, file?: StoredFile): Publish {
  refuseUnsupported(p);
  const attach = attachmentOf(p, file !== undefined);
  const icon = p.get("x-icon", "icon");
  if (icon && !HTTP_URL.test(icon)) throw ntfyError(NTFY.iconUrlInvalid);
  const actions = p.get("x-actions", "actions", "action");
  const contentType = p.get("content-type", "content_type").split(";")[0]?.trim().toLowerCase();
  const message = body.trim() || p.get("x-message", "message", "m").replaceAll("\\n", "\n");
  // Nothing but U+FFFD: the sender's bytes were not UTF-8 (the decoder replaced them), as ntfy says.
  if (message.includes("\ufffd") && saysNothing(message)) throw ntfyError(NTFY.messageNotUtf8);
  return {
    topic,
    message: message || (attach || file ? `You received a file: ${file?.name ?? attach?.name}` : EMPTY_MESSAGE),
    title: p.get("x-title", "title", "t") || undefined,
    priority: priorityOf(p.get("x-priority", "priority", "prio", "p")),
    tags: commaList(p.get("x-tags", "tags", "tag", "ta")),
    click: p.get("x-click", "click") || undefined,
    icon: icon || undefined,
    attach,
    file,
    markdown: isTrue(p.get("x-markdown", "markdown", "md")) || contentType === "text/markdown",
    actions: actions ? parseActions(actions) : [],
    sequenceId: sequenceIdOf(pathSequenceId ?? p.get("x-sequence-id", "sequence-id", "sequence_id", "sid")),
  };
}

export function priorityOf(value: string): number | undefined {
  if (value === "") return undefined;
  const priority = PRIORITIES[value.toLowerCase()];
  if (priority === undefined) throw ntfyError(NTFY.priorityInvalid);
  return priority;
}

function attachmentOf(p: ParamSource, bodyIsFile: boolean): Publish["attach"] {
  const url = p.get("x-attach", "attach", "a");
  // A file name without a URL makes the body a file (ntfy's case 6): refused where there is no file store.
  if (!url) {
    if (!bodyIsFile && p.get("x-filename", "filename", "file", "f")) throw ntfyError(NTFY.attachmentsDisallowed);
    return undefined;
  }
  if (!HTTP_URL.test(url)) throw ntfyError(NTFY.attachmentUrlInvalid);
  const fromUrl = URL.parse(url)?.pathname.split("/").at(-1) ?? "";
  return { url, name: p.get("x-filename", "filename", "file", "f") || fromUrl || "attachment" };
}

/** What ntfy would do for the sender and this gateway cannot: refused with the error ntfy gives when it is off. */
function refuseUnsupported(p: ParamSource): void {
  if (p.get("x-email", "x-e-mail", "email", "e-mail", "mail", "e")) throw ntfyError(NTFY.emailDisabled);
  if (p.get("x-call", "call")) throw ntfyError(NTFY.callsDisabled);
  if (p.get("x-delay", "delay", "x-at", "at", "x-in", "in"))
    throw ntfyError(NTFY.badRequest, "scheduled delivery is not supported by this gateway");
  if (isTrue(p.get("x-template", "template", "tpl")))
    throw ntfyError(NTFY.badRequest, "message templates are not supported by this gateway");
}
