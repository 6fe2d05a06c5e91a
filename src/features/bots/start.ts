/**
 * Config-only bots (docs/bots.md): each `bots:` item becomes the stanza handler of its JID in
 * row 3 of the routing table (xmpp/router.ts). Files: bot.ts (messages), commands.ts (a command
 * run), http-call.ts (the bounded HTTP call), contact.ts (presence, disco, ping), match.ts
 * (patterns), text-template.ts and stanza-template.ts (templates), jobs.ts (scheduled checks),
 * rooms.ts and room-stanzas.ts (rooms and invitations); check.ts and
 * check-jobs.ts check and compile them; index.ts registers the feature.
 */
import type { Element } from "ltx";
import type { Logger } from "../../log.ts";
import type { BotMetrics } from "../../metrics.ts";
import type { StanzaHandler } from "../../plugin-api/index.ts";
import type { FilesPort } from "../../files/types.ts";
import type { Mqtt } from "../../mqtt/types.ts";
import type { RoomsPort } from "../../plugin-api/rooms.ts";
import type { Keyed } from "../../plugin-api/store.ts";
import { botHandler, type BotChat } from "./bot.ts";
import type { BotConfig } from "./compiled.ts";
import { BotRooms, type InvitedRoom } from "./rooms.ts";

export interface BotsDeps {
  addBot(local: string, handler: StanzaHandler): void;
  send(stanza: Element): Promise<unknown>;
  fetch: typeof fetch;
  log: Logger;
  metrics?: BotMetrics;
  rooms: RoomsPort;
  /** Rooms the bots accepted invitations to, by bot JID. */
  invited: Keyed<InvitedRoom[]>;
  isOnline(): boolean;
  timeoutMs: number;
  /** Sends an iq and waits for its answer (XmppLink.request). */
  request(iq: Element): Promise<Element>;
  /** The file store, for commands with `attach: true` (undefined when attachments are off). */
  files?: FilesPort | undefined;
  /** The broker, for commands with `mqtt:` (undefined without the mqtt: section). */
  mqtt?: Pick<Mqtt, "publish"> | undefined;
}

/** What the generation tells the bots: the link is back (enter the rooms again), or they stop. */
export interface StartedBots {
  online(): void;
  stop(): void;
}

export function startBots(bots: readonly BotConfig[], deps: BotsDeps): StartedBots {
  const inRooms: BotRooms[] = [];
  for (const bot of bots) {
    const log = deps.log.child({ part: "bot", bot: bot.jid });
    const send = (el: Element) => void deps.send(el).catch((err: unknown) => log.warn("bot stanza not sent", { err }));
    // Every bot has a seat of its own, if only to decline invitations when it accepts none.
    const rooms = (chat: BotChat) => {
      // Every bot knows the seats of the others: bots of one gateway never answer each other in a room.
      const ourNick = (room: string, nick: string) => inRooms.some((other) => other.nickIn(room) === nick);
      const r = new BotRooms(bot, {
        ...chat,
        ourNick,
        rooms: deps.rooms,
        invited: deps.invited,
        send,
        request: deps.request,
        isOnline: deps.isOnline,
        timeoutMs: deps.timeoutMs,
        log,
      });
      inRooms.push(r);
      return r;
    };
    deps.addBot(
      bot.local,
      botHandler(bot, { send: deps.send, fetch: deps.fetch, log, rooms, metrics: deps.metrics, files: deps.files, mqtt: deps.mqtt }),
    );
  }
  return {
    online: () => inRooms.forEach((r) => void r.online()),
    stop: () => inRooms.forEach((r) => void r.stop()),
  };
}
