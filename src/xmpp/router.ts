/**
 * Stanzas addressed to the component go to the plugins' handlers, in registration order; the
 * first that returns true owns the stanza. What nobody takes is answered as RFC 6120 requires.
 */
import type { Element } from "ltx";
import type { Logger } from "../log.ts";
import type { StanzaHandler } from "../plugin-api.ts";
import { STANZA_ERRORS } from "../errors.ts";
import { needsAnswer, stanzaError } from "../plugin-api/stanza-error.ts";

export class StanzaRouter {
  private readonly handlers: StanzaHandler[] = [];
  /** Asked before `handlers`: plugins collecting answers to their own requests. */
  private readonly first: StanzaHandler[] = [];
  /** Handlers that own one exact address (lower-cased), asked before the others. */
  private readonly owners = new Map<string, StanzaHandler>();
  private readonly observers: Array<(stanza: Element) => void> = [];

  constructor(
    private readonly reply: (stanza: Element) => void,
    private readonly log: Logger,
  ) {}

  add(handler: StanzaHandler, options: { address?: string; first?: boolean } = {}): void {
    if (options.address !== undefined) this.owners.set(options.address.toLowerCase(), handler);
    else (options.first ? this.first : this.handlers).push(handler);
  }

  /** Sees every stanza before the handlers, without taking it (e.g. XEP-0356 forwarded presence). */
  observe(observer: (stanza: Element) => void): void {
    this.observers.push(observer);
  }

  /**
   * Offers a stanza only to owners and `first` handlers (answers to requests their plugins made),
   * without observers or error replies: how a configuration being retired by a reload still gets
   * the answers its requests in flight wait for.
   */
  async takeOwn(stanza: Element): Promise<boolean> {
    try {
      const owner = this.owners.get(stanza.attrs.to?.toLowerCase() ?? "");
      if (owner && (await owner(stanza))) return true;
      for (const handler of this.first) if (await handler(stanza)) return true;
    } catch (err) {
      this.log.warn("stanza handler of a retiring configuration failed", { err, stanza: stanza.name });
    }
    return false;
  }

  async dispatch(stanza: Element): Promise<void> {
    try {
      for (const observer of this.observers) observer(stanza);
      const owner = this.owners.get(stanza.attrs.to?.toLowerCase() ?? "");
      if (owner && (await owner(stanza))) return;
      for (const handler of this.first) if (await handler(stanza)) return;
      for (const handler of this.handlers) if (await handler(stanza)) return;
    } catch (err) {
      this.log.error("stanza handler failed", { err, stanza: stanza.name });
      if (needsAnswer(stanza)) this.reply(stanzaError(stanza, STANZA_ERRORS.HANDLER_FAILED));
      return;
    }
    if (needsAnswer(stanza)) this.reply(stanzaError(stanza, STANZA_ERRORS.NO_HANDLER));
  }
}
