/**
 * Error replies, RFC 6120 §8.3: the reply swaps `to` and `from`, keeps the id, has type="error"
 * and an <error type=...> with one defined condition in urn:ietf:params:xml:ns:xmpp-stanzas.
 * §8.3.1 also says an entity MUST NOT answer an error stanza with an error: callers check
 * `isError` first, so two gateways can never bounce errors forever.
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";

export const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
export type StanzaErrorType = "auth" | "cancel" | "continue" | "modify" | "wait";

export function isError(stanza: Element): boolean {
  return stanza.attrs.type === "error";
}

export function stanzaError(original: Element, type: StanzaErrorType, condition: string, text?: string): Element {
  const { to, from, id } = original.attrs;
  const error = xml("error", { type }, xml(condition, { xmlns: NS_STANZAS }));
  if (text) error.cnode(xml("text", { xmlns: NS_STANZAS }, text));
  return xml(original.name, { to: from, from: to, id, type: "error" }, error);
}

/** An iq error answer, as a JS error (see XmppPort.request). */
export class XmppStanzaError extends Error {
  constructor(
    readonly condition: string,
    readonly type: string,
    readonly text: string | undefined,
    readonly stanza: Element,
  ) {
    super(text ? `${condition}: ${text}` : condition);
    this.name = "XmppStanzaError";
  }

  static from(stanza: Element): XmppStanzaError {
    const error = stanza.getChild("error");
    const condition = error?.getChildElements().find((c) => c.attrs.xmlns === NS_STANZAS && c.name !== "text")?.name ?? "undefined-condition";
    const text = error?.getChildText("text", NS_STANZAS) ?? undefined;
    return new XmppStanzaError(condition, error?.attrs.type ?? "cancel", text, stanza);
  }
}

/**
 * XMPP -> HTTP: the status an HTTP caller gets when an iq it caused is answered with an error
 * (RFC 6120 §8.3.3 defines the conditions). The gateway stands between the two, so a fault of
 * the remote side is 502 and its unavailability 503/504, as an HTTP proxy answers (RFC 9110
 * §15.6). `not-authorized` is 403, not 401: the XMPP side refused the gateway, and a 401 would
 * ask the HTTP caller for credentials it cannot give. Unlisted conditions are 502.
 */
export const HTTP_STATUS_OF_STANZA_ERROR: Readonly<Record<string, number>> = {
  "bad-request": 400,
  "jid-malformed": 400,
  "unexpected-request": 400,
  "payment-required": 402,
  forbidden: 403,
  "not-authorized": 403,
  "not-allowed": 403,
  "policy-violation": 403,
  "registration-required": 403,
  "subscription-required": 403,
  "item-not-found": 404,
  "not-acceptable": 406,
  conflict: 409,
  gone: 410,
  "feature-not-implemented": 501,
  "internal-server-error": 502,
  "remote-server-not-found": 502,
  redirect: 502,
  "undefined-condition": 502,
  "service-unavailable": 503,
  "recipient-unavailable": 503,
  "resource-constraint": 503,
  "remote-server-timeout": 504,
};

export function httpStatusOfStanzaError(condition: string): number {
  return HTTP_STATUS_OF_STANZA_ERROR[condition] ?? 502;
}
