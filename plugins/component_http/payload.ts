/**
 * The JSON a webhook receives for one stanza, as mod_component_http builds it: to, from, kind
 * (the element name), stanza (the whole XML) and, for a message with a body, body.
 */
import { xml } from "../../src/plugin-api.ts";
import type { Element } from "../../src/plugin-api.ts";

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

export function serialize(stanza: Element): string {
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
