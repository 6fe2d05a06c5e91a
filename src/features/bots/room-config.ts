/**
 * A room changing who sees real JIDs while the bot is in it (XEP-0045 §10.2.1): the room tells
 * its occupants with status codes in a message from its bare JID, 172 (now non-anonymous), 173
 * (now semi-anonymous), 174 (now fully anonymous) or 104 (some other configuration change, which
 * may still be one of these on a server that says no more: the room's disco#info tells, §6.4).
 * Nothing else re-sends the occupants' presences, so without this the bot would trust (or fail to
 * trust) real JIDs until each occupant happened to send presence again.
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import type { Logger } from "../../log.ts";
import type { HeldRoom } from "../../plugin-api/rooms.ts";
import { NS_MUC_USER } from "./room-stanzas.ts";

type Anonymity = "non-anonymous" | "semi-anonymous";

const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";

/** What a message from a room says of its anonymity: a change, "ask" (104: look it up), or nothing. */
function anonymityChange(stanza: Element): Anonymity | "ask" | undefined {
  const codes = new Set(
    stanza
      .getChild("x", NS_MUC_USER)
      ?.getChildren("status")
      .map((s) => s.attrs.code) ?? [],
  );
  if (codes.has("172")) return "non-anonymous";
  // §10.2.1: 174, fully anonymous, hides real JIDs even from moderators.
  if (codes.has("173") || codes.has("174")) return "semi-anonymous";
  return codes.has("104") ? "ask" : undefined;
}

/** §6.4: the room's features say muc_nonanonymous or muc_semianonymous; undefined when it does not answer. */
async function askAnonymity(room: string, from: string, request: (iq: Element) => Promise<Element>): Promise<Anonymity | undefined> {
  try {
    const info = await request(xml("iq", { type: "get", to: room, from }, xml("query", { xmlns: NS_DISCO_INFO })));
    const features = new Set(
      info
        .getChild("query", NS_DISCO_INFO)
        ?.getChildren("feature")
        .map((f) => f.attrs.var) ?? [],
    );
    if (features.has("muc_nonanonymous")) return "non-anonymous";
    return features.has("muc_semianonymous") || features.has("muc_fullyanonymous") ? "semi-anonymous" : undefined;
  } catch {
    return undefined;
  }
}

export interface ConfigChangeContext {
  room: string;
  held: HeldRoom;
  /** The bot's occupant JID, which asks the disco#info. */
  from: string;
  bot: string;
  request(iq: Element): Promise<Element>;
  log: Logger;
  /** Whether the bot still holds this seat (it may have been kicked meanwhile). */
  current(): boolean;
}

/** A message from the room: when it announces such a change, the occupant list is read again at once. */
export function followConfigChange(stanza: Element, c: ConfigChangeContext): void {
  const change = anonymityChange(stanza);
  if (change === undefined) return;
  const now = change === "ask" ? askAnonymity(c.room, c.from, c.request) : Promise.resolve(change);
  void now.then(async (anonymity) => {
    if (anonymity === undefined)
      return c.log.debug("the room's configuration changed; its disco#info did not say who sees real JIDs", { bot: c.bot, room: c.room });
    if (!c.current()) return;
    await c.held.refresh(anonymity !== "non-anonymous");
    c.log.info("the room's configuration changed: the bot read its occupants again", { bot: c.bot, room: c.room, anonymity });
  });
}
