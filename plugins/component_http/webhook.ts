/**
 * What goes to the webhook: the JSON of one stanza, its Standard Webhooks signature, and the POST.
 *
 * One POST to the webhook. Like Prosody's net.http it sends the JSON with Content-Type
 * application/x-www-form-urlencoded (configurable) and follows no redirect; unlike it, the call
 * is bounded in time and the answer in size. Bun's fetch reuses keep-alive connections to the
 * same origin by default, so a busy bot is not paying a TCP handshake per stanza.
 */
import type { Element } from "../../src/plugin-api/index.ts";
import { readBoundedText } from "../../src/kit/bounded.ts";
import { xml } from "../../src/kit/xml.ts";
import { createHmac, randomUUID } from "node:crypto";

export interface WebhookTarget {
  fetch: typeof fetch;
  url: string;
  contentType: string;
  timeoutMs: number;
  /** HMAC key when the route has a signing_secret. */
  key: Buffer | undefined;
  /** Aborted when the plugin stops. */
  stopping: AbortSignal;
}

export type WebhookResult =
  | { kind: "answered"; status: number; contentType: string | null; text: string | undefined }
  | { kind: "timeout" }
  | { kind: "unreachable"; reason: string }
  | { kind: "stopped" };

/** Larger answers are not read; a 200 JSON one then counts as malformed. */
const MAX_ANSWER_BYTES = 1_048_576;

const USER_AGENT = "Stanzagate component_http";

export async function postToWebhook(target: WebhookTarget, body: string): Promise<WebhookResult> {
  const timeout = AbortSignal.timeout(target.timeoutMs);
  const signal = AbortSignal.any([timeout, target.stopping]);
  const headers = {
    "content-type": target.contentType,
    "user-agent": USER_AGENT,
    ...(target.key ? signatureHeaders(target.key, body) : {}),
  };
  try {
    const res = await target.fetch(target.url, { method: "POST", headers, body, redirect: "manual", signal });
    const text = await readBoundedText(res, MAX_ANSWER_BYTES);
    return { kind: "answered", status: res.status, contentType: res.headers.get("content-type"), text };
  } catch (err) {
    if (target.stopping.aborted) return { kind: "stopped" };
    if (timeout.aborted) return { kind: "timeout" };
    return { kind: "unreachable", reason: (err as Error).message };
  }
}

/**
 * The JSON a webhook receives for one stanza, as mod_component_http builds it: to, from, kind
 * (the element name), stanza (the whole XML) and, for a message with a body, body.
 */
export interface StanzaPayload {
  to: string | undefined;
  from: string | undefined;
  kind: string;
  body?: string;
  stanza: string;
}

/**
 * The stream namespaces a stanza may carry on the wire (RFC 6120 §4.8.3, XEP-0114 §2). Prosody
 * keeps stanzas without them internally, so its serialisation has no top-level xmlns; we drop it
 * too, and a webhook sees the same `stanza` string as with the module.
 */
export const STREAM_NAMESPACES: ReadonlySet<string> = new Set(["jabber:client", "jabber:server", "jabber:component:accept"]);

export function stanzaPayload(stanza: Element): StanzaPayload {
  const body = stanza.name === "message" ? bodyText(stanza) : undefined;
  return {
    to: stanza.attrs.to,
    from: stanza.attrs.from,
    kind: stanza.name,
    ...(body === undefined ? {} : { body }),
    stanza: serialize(stanza),
  };
}

function serialize(stanza: Element): string {
  const xmlns = stanza.attrs.xmlns;
  if (xmlns === undefined || !STREAM_NAMESPACES.has(xmlns)) return stanza.toString();
  const { xmlns: _stream, ...attrs } = stanza.attrs;
  // A shallow copy sharing the children: serialising it never touches the original.
  const copy = xml(stanza.name, attrs);
  copy.children = stanza.children;
  return copy.toString();
}

/** Prosody's get_child_text("body"): the first <body/> in the stanza's own namespace, its direct text. */
function bodyText(stanza: Element): string | undefined {
  const own = stanza.attrs.xmlns;
  const body = stanza.getChildElements().find((c) => c.name === "body" && (c.attrs.xmlns === undefined || c.attrs.xmlns === own));
  return body?.getText();
}

/**
 * Signs a webhook call the Standard Webhooks way (https://www.standardwebhooks.com/, "Signature
 * scheme"), so the webhook can check the POST came from this gateway and is fresh:
 *   webhook-id:        a unique message id
 *   webhook-timestamp: seconds since the epoch
 *   webhook-signature: "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body))
 * The spec's secrets look like `whsec_<base64 key>`; other strings are taken as the key's bytes,
 * so a plain shared password works too.
 */
const SECRET_PREFIX = "whsec_";

export function signingKey(secret: string): Buffer {
  return secret.startsWith(SECRET_PREFIX) ? Buffer.from(secret.slice(SECRET_PREFIX.length), "base64") : Buffer.from(secret, "utf8");
}

export function sign(key: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

function signatureHeaders(key: Buffer, body: string, now: Date = new Date(), id = `msg_${randomUUID()}`): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": sign(key, id, timestamp, body),
  };
}
