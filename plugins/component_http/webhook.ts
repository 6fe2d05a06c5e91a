/**
 * One POST to the webhook. Like Prosody's net.http it sends the JSON with Content-Type
 * application/x-www-form-urlencoded (configurable) and follows no redirect; unlike it, the call
 * is bounded in time and the answer in size. Bun's fetch reuses keep-alive connections to the
 * same origin by default, so a busy bot is not paying a TCP handshake per stanza.
 */
import { readBoundedText } from "../../src/plugin-api.ts";
import { signatureHeaders } from "./sign.ts";

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
export const MAX_ANSWER_BYTES = 1_048_576;

export const USER_AGENT = "Stanzagate component_http";

export async function postToWebhook(target: WebhookTarget, body: string): Promise<WebhookResult> {
  const timeout = AbortSignal.timeout(target.timeoutMs);
  const signal = AbortSignal.any([timeout, target.stopping]);
  const headers = { "content-type": target.contentType, "user-agent": USER_AGENT, ...(target.key ? signatureHeaders(target.key, body) : {}) };
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
