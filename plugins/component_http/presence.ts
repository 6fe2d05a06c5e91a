/**
 * The module's built-in presence for a JID of the component when the webhook does not take
 * presence: an always-on contact that accepts every subscription (RFC 6121 §3.1.3, §4.3.2).
 * Every answer comes from the addressed bare JID with the resource "default", exactly as the
 * module sends it; other presence types are taken and ignored.
 */
import { parseJid, xml } from "../../src/plugin-api.ts";
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

/**
 * With XEP-0356 presence permission "managed_entity", the server forwards every user's broadcast
 * presence (available or unavailable, from the user's full JID) to the component's domain itself.
 * The module never received these, and they are addressed to no bot: a route does not take them,
 * so the engine ignores them and plugins that observe logins (roster_admin) still see them. A
 * user's directed available presence to the domain looks the same and is ignored with them.
 */
export function isForwardedBroadcast(stanza: Element, component: string): boolean {
  if (stanza.name !== "presence") return false;
  if (stanza.attrs.type !== undefined && stanza.attrs.type !== "unavailable") return false;
  const to = stanza.attrs.to === undefined ? undefined : parseJid(stanza.attrs.to);
  return to !== undefined && to.local === "" && to.resource === "" && to.domain === component.toLowerCase();
}
