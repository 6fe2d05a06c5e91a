/**
 * The module's built-in presence for a JID of the component when the webhook does not take
 * presence: an always-on contact that accepts every subscription (RFC 6121 §3.1.3, §4.3.2).
 * Every answer comes from the addressed bare JID with the resource "default", exactly as the
 * module sends it; other presence types are taken and ignored.
 */
import { xml } from "../../src/plugin-api.ts";
import type { Element } from "../../src/plugin-api.ts";

export function defaultPresenceReplies(stanza: Element): Element[] {
  const { to, from } = stanza.attrs;
  if (to === undefined || from === undefined) return [];
  const attrs = { to: from, from: `${to}/default` };
  switch (stanza.attrs.type) {
    case "probe":
      return [xml("presence", attrs)];
    case "subscribe":
      return [xml("presence", { ...attrs, type: "subscribed" }), xml("presence", attrs)];
    case "unsubscribe":
      return [xml("presence", { ...attrs, type: "unavailable" })];
    default:
      return [];
  }
}
