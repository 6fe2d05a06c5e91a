/**
 * Who gets a stanza addressed to the component: one table, asked in this order; the first
 * handler that returns true owns the stanza.
 *
 *   0. observers  see every stanza first and never take it (roster_admin: the users' presences
 *                 a server forwards under XEP-0356 presence "managed_entity", §7)
 *   1. address    the owner of exactly this `to` (the rooms, src/rooms/: each occupant JID in rooms)
 *   2. answers    plugins taking answers to their own requests (roster_admin: roster set results,
 *                 pushes); iq answers to XmppPort.request never get here (xmpp/iq-caller.ts)
 *   3. bots       the bot (bots: in routes.yaml) of this JID's local part, any resource
 *   4. local part the component_http route listing this local part in `local_parts`
 *   5. catch-all  component_http routes without `local_parts`, in route order
 *   6. nobody     an error back when the sender waits for one (needsAnswer), else dropped
 *
 * Claims that collide (one address, one local part, two catch-alls) are refused by `check`
 * (the route kinds' checks, RouteChecks.claimed) with both places in routes.yaml; see docs/configuration.md, "Who gets a stanza".
 */
import type { Element } from "ltx";
import type { Logger } from "../log.ts";
import type { StanzaClaim, StanzaHandler } from "../plugin-api/index.ts";
import { STANZA_ERRORS } from "../plugin-api/errors.ts";
import { parseJid } from "../kit/jid.ts";
import { needsAnswer, stanzaError } from "../kit/stanza-error.ts";

export class StanzaRouter {
  private readonly observers: Array<(stanza: Element) => void> = [];
  /** Exact addresses, lower-cased. */
  private readonly addresses = new Map<string, StanzaHandler>();
  private readonly answers: StanzaHandler[] = [];
  /** Local parts of the component's domain, lower-cased. */
  private readonly localParts = new Map<string, StanzaHandler[]>();
  private readonly catchAll: StanzaHandler[] = [];
  /** Bots by local part, lower-cased ("" for the component domain itself). */
  private readonly bots = new Map<string, StanzaHandler>();

  constructor(
    private readonly component: string,
    private readonly reply: (stanza: Element) => void,
    private readonly log: Logger,
  ) {}

  add(handler: StanzaHandler, claim: StanzaClaim = { catchAll: true }): void {
    if ("address" in claim) this.addresses.set(claim.address.toLowerCase(), handler);
    else if ("answers" in claim) this.answers.push(handler);
    else if ("localParts" in claim)
      for (const local of claim.localParts)
        this.localParts.set(local.toLowerCase(), [...(this.localParts.get(local.toLowerCase()) ?? []), handler]);
    else this.catchAll.push(handler);
  }

  /** Row 3: the bot answering `local@component` (any resource); `check` refused collisions. */
  addBot(local: string, handler: StanzaHandler): void {
    this.bots.set(local.toLowerCase(), handler);
  }

  observe(observer: (stanza: Element) => void): void {
    this.observers.push(observer);
  }

  /** Rows 1 to 5 of the table, in order. */
  private candidates(stanza: Element): StanzaHandler[] {
    const to = stanza.attrs.to?.toLowerCase() ?? "";
    const owner = this.addresses.get(to);
    const jid = parseJid(to);
    const ours = jid !== undefined && jid.domain === this.component.toLowerCase();
    const bot = ours ? this.bots.get(jid.local) : undefined;
    const local = ours && jid.local !== "" ? this.localParts.get(jid.local) : undefined;
    return [...(owner ? [owner] : []), ...this.answers, ...(bot ? [bot] : []), ...(local ?? []), ...this.catchAll];
  }

  /**
   * Offers a stanza only to address owners and `answers` handlers, without observers or error
   * replies: how a configuration being retired by a reload still gets the answers its requests
   * in flight wait for.
   */
  async takeOwn(stanza: Element): Promise<boolean> {
    try {
      const owner = this.addresses.get(stanza.attrs.to?.toLowerCase() ?? "");
      for (const handler of [...(owner ? [owner] : []), ...this.answers]) if (await handler(stanza)) return true;
    } catch (err) {
      this.log.warn("stanza handler of a retiring configuration failed", { err, stanza: stanza.name });
    }
    return false;
  }

  async dispatch(stanza: Element): Promise<void> {
    try {
      for (const observer of this.observers) observer(stanza);
      for (const handler of this.candidates(stanza)) if (await handler(stanza)) return;
    } catch (err) {
      this.log.error("stanza handler failed", { err, stanza: stanza.name });
      if (needsAnswer(stanza)) this.reply(stanzaError(stanza, STANZA_ERRORS.HANDLER_FAILED));
      return;
    }
    if (needsAnswer(stanza)) this.reply(stanzaError(stanza, STANZA_ERRORS.NO_HANDLER));
  }
}
