/**
 * An upload slot (XEP-0363 §4): the request the component sends, the PUT and GET URLs the service
 * answers with, and what a refusal (§5) tells the operator.
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { IqTimeoutError, XmppStanzaError } from "../../plugin-api/errors.ts";
import { NS_HTTP_UPLOAD } from "./discover.ts";

export interface Slot {
  put: string;
  /** The headers the PUT must carry: only those §4 allows, newlines stripped. */
  headers: Record<string, string>;
  get: string;
}

/**
 * §4: "Only the following header names are allowed: Authorization, Cookie, Expires. Other header
 * names MUST be ignored by the requesting entity." A service cannot make the gateway send a Host
 * or a Content-Length of its choosing.
 */
const ALLOWED_HEADERS = new Set(["authorization", "cookie", "expires"]);

/** §4: `filename` and `size` are required, `content-type` optional. */
export function slotRequest(file: { name: string; size: number; type: string }): Element {
  return xml("request", { xmlns: NS_HTTP_UPLOAD, filename: file.name, size: String(file.size), "content-type": file.type });
}

/** The slot of a result iq; throws a sentence when the service answered something unusable. */
export function readSlot(answer: Element): Slot {
  const slot = answer.getChild("slot", NS_HTTP_UPLOAD);
  const put = slot?.getChild("put")?.attrs.url;
  const get = slot?.getChild("get")?.attrs.url;
  if (!slot || typeof put !== "string" || typeof get !== "string")
    throw new Error("the upload service answered without a slot's PUT and GET URLs");
  const headers: Record<string, string> = {};
  for (const header of slot.getChild("put")?.getChildren("header") ?? []) {
    const name = String(header.attrs.name ?? "");
    // §8: "Requesting entities MUST strip any newline characters from the HTTP header names and values".
    if (ALLOWED_HEADERS.has(name.toLowerCase())) headers[name] = header.getText().replace(/[\r\n]/g, "");
  }
  return { put: webUrl(put, "PUT"), headers, get: webUrl(get, "GET") };
}

/**
 * §4 requires TLS of the service; http is taken too, for a service the gateway reaches on its own
 * host or network (the test bed), but nothing but http(s): a slot cannot send the gateway to a file:.
 */
function webUrl(text: string, which: string): string {
  const url = URL.parse(text);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:"))
    throw new Error(`the slot's ${which} URL is not an http(s) URL: ${text}`);
  return url.href;
}

/** What a failed slot request means, in one sentence naming the server's reason (§5). */
export function refusalOf(err: unknown, service: string): string {
  if (err instanceof IqTimeoutError) return `the upload service ${service} did not answer the slot request in time`;
  if (!(err instanceof XmppStanzaError)) return err instanceof Error ? err.message : String(err);
  const error = err.stanza.getChild("error");
  const max = error?.getChild("file-too-large", NS_HTTP_UPLOAD)?.getChildText("max-file-size");
  if (max) return `the upload service ${service} takes files up to ${max.trim()} bytes (XEP-0363 file-too-large)`;
  const retry = error?.getChild("retry", NS_HTTP_UPLOAD)?.attrs.stamp;
  const said = err.text ? `: ${err.text}` : "";
  if (retry) return `the upload service ${service} refused for now (${err.condition}${said}); retry after ${retry}`;
  if (err.condition === "forbidden" || err.condition === "not-allowed")
    return `the upload service ${service} does not grant this component a slot (${err.condition}${said}): allow the component's domain in the server's upload access (docs/files-xep0363.md)`;
  return `the upload service ${service} refused the slot (${err.condition}${said})`;
}

/** An answer saying the service is gone (unloaded, renamed): worth discovering it again. */
export function serviceGone(err: unknown): boolean {
  if (!(err instanceof XmppStanzaError)) return false;
  return ["item-not-found", "service-unavailable", "remote-server-not-found", "feature-not-implemented"].includes(err.condition);
}
