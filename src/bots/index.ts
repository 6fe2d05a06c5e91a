/**
 * Config-only bots (README, "Bots"): each `bots:` item becomes the stanza handler of its JID in
 * row 3 of the routing table (xmpp/router.ts). Files: bot.ts (messages), commands.ts (a command
 * run), http-call.ts (the bounded HTTP call), contact.ts (presence, disco, ping), match.ts
 * (patterns), text-template.ts and stanza-template.ts (templates), jobs.ts (scheduled checks);
 * config/check-bots.ts and check-bot-jobs.ts check and compile them.
 */
import type { Element } from "ltx";
import type { Logger } from "../log.ts";
import type { BotMetrics } from "../metrics.ts";
import type { StanzaHandler } from "../plugin-api.ts";
import { botHandler } from "./bot.ts";
import type { BotConfig } from "./compiled.ts";

export interface BotsDeps {
  addBot(local: string, handler: StanzaHandler): void;
  send(stanza: Element): Promise<unknown>;
  fetch: typeof fetch;
  log: Logger;
  metrics?: BotMetrics;
}

export function startBots(bots: readonly BotConfig[], deps: BotsDeps): void {
  for (const bot of bots) {
    deps.addBot(bot.local, botHandler(bot, { send: deps.send, fetch: deps.fetch, log: deps.log.child({ part: "bot", bot: bot.jid }), metrics: deps.metrics }));
  }
}
