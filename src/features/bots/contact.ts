/**
 * What a client expects of a contact, for a bot's JID: it accepts subscriptions from allowed
 * senders and is always available (RFC 6121 §3.1.3, §4.3.2), answers disco#info (XEP-0030 §3.1)
 * (with ad-hoc commands, XEP-0050 §2.1) and pings (XEP-0199 §4.2). Other iq get/set get service-unavailable (RFC 6120 §8.4).
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { STANZA_ERRORS } from "../../plugin-api/errors.ts";
import { isError, stanzaError } from "../../kit/stanza-error.ts";
import type { BotConfig } from "./compiled.ts";

const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
const NS_PING = "urn:xmpp:ping";
/** XEP-0050 §2.1: ad-hoc commands (adhoc.ts). */
const NS_COMMANDS = "http://jabber.org/protocol/commands";
/** The resource a bot is available at. */
export const BOT_RESOURCE = "bot";

/** Replies to a presence stanza to the bot; subscriptions from senders not allowed are refused. */
export function presenceReplies(bot: BotConfig, stanza: Element, allowed: boolean): Element[] {
  const from = stanza.attrs.from;
  if (from === undefined || isError(stanza)) return [];
  const attrs = { to: from, from: `${bot.jid}/${BOT_RESOURCE}` };
  switch (stanza.attrs.type) {
    case "probe":
      return allowed ? [xml("presence", attrs)] : [];
    case "subscribe":
      // RFC 6121 §3.2.1: a denied request is answered with unsubscribed, from the bare JID.
      if (!allowed) return [xml("presence", { to: from, from: bot.jid, type: "unsubscribed" })];
      return [xml("presence", { to: from, from: bot.jid, type: "subscribed" }), xml("presence", attrs)];
    case "unsubscribe":
      return [xml("presence", { ...attrs, type: "unavailable" })];
    default:
      return [];
  }
}

/** The answer to an iq to the bot, or undefined for results and errors (never answered). */
export function iqReply(bot: BotConfig, iq: Element): Element | undefined {
  const { type, id, from, to } = iq.attrs;
  if (type !== "get" && type !== "set") return undefined;
  const child = iq.getChildElements()[0];
  const result = (...children: Element[]) => xml("iq", { type: "result", id, to: from, from: to }, ...children);
  if (type === "get" && child?.name === "ping" && child.attrs.xmlns === NS_PING) return result();
  if (type === "get" && child?.name === "query" && child.attrs.xmlns === NS_DISCO_INFO && child.attrs.node === undefined) {
    return result(
      xml(
        "query",
        { xmlns: NS_DISCO_INFO },
        xml("identity", { category: "client", type: "bot", name: bot.name }),
        xml("feature", { var: NS_DISCO_INFO }),
        xml("feature", { var: NS_PING }),
        xml("feature", { var: NS_COMMANDS }),
      ),
    );
  }
  return stanzaError(iq, STANZA_ERRORS.NO_HANDLER);
}
