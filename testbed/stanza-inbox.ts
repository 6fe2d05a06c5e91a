// The incoming side of a test connection (client or component): tests ask for
// "the next stanza like this" and get it even if it arrived before they asked,
// which removes the classic race between sending and starting to listen.
import type { Element } from "ltx";

export type StanzaPredicate = (stanza: Element) => boolean;

/** What joinRoom() and similar helpers need; both TestClient and RawComponent provide it. */
export interface StanzaEndpoint {
  /** Our own address as the server sees it (full JID for clients, domain for components). */
  readonly jid: string;
  send(stanza: Element): Promise<void>;
  /** Send an <iq/> and resolve with the result; rejects on an error reply or timeout. */
  iq(stanza: Element, timeoutMs?: number): Promise<Element>;
  nextStanza(predicate: StanzaPredicate, timeoutMs?: number): Promise<Element>;
}

/** Stanzas kept for late waiters; beyond this the oldest are dropped (a stuck test must not eat memory). */
const DEFAULT_BUFFER_LIMIT = 1_000;
/** `received` keeps a longer history, also capped for long benchmark runs. */
const DEFAULT_HISTORY_LIMIT = 10_000;
/**
 * How long a wait for a stanza that should come may take before the test fails. Only a bound: a
 * wait that succeeds returns at once, so it is sized for a shared, busy machine (a server's pause
 * under load), not for speed; no test proves an absence by letting it run out.
 */
export const DEFAULT_STANZA_TIMEOUT_MS = 15_000;

interface Waiter {
  predicate: StanzaPredicate;
  resolve(stanza: Element): void;
  reject(error: Error): void;
}

export class StanzaInbox {
  /** Every stanza received, in order (capped at the history limit). */
  readonly received: Element[] = [];
  /** Received but not yet handed to nextStanza()/collect(). */
  private readonly unconsumed: Element[] = [];
  private readonly waiters: Waiter[] = [];
  private closedReason: string | null = null;

  constructor(
    private readonly label: string,
    private readonly bufferLimit = DEFAULT_BUFFER_LIMIT,
    private readonly historyLimit = DEFAULT_HISTORY_LIMIT,
  ) {}

  /** Feed one incoming stanza; the oldest matching waiter consumes it, else it is buffered. */
  push(stanza: Element): void {
    appendCapped(this.received, stanza, this.historyLimit);
    const index = this.waiters.findIndex((w) => w.predicate(stanza));
    const waiter = index === -1 ? undefined : this.waiters.splice(index, 1)[0];
    if (waiter !== undefined) waiter.resolve(stanza);
    else appendCapped(this.unconsumed, stanza, this.bufferLimit);
  }

  /** The first matching stanza, already buffered or yet to come; rejects after timeoutMs. */
  next(predicate: StanzaPredicate, timeoutMs = DEFAULT_STANZA_TIMEOUT_MS): Promise<Element> {
    const index = this.unconsumed.findIndex(predicate);
    const buffered = index === -1 ? undefined : this.unconsumed.splice(index, 1)[0];
    if (buffered !== undefined) return Promise.resolve(buffered);
    return this.wait(predicate, timeoutMs);
  }

  /** `count` matching stanzas, in arrival order, all within one timeout. */
  async collect(predicate: StanzaPredicate, count: number, timeoutMs = DEFAULT_STANZA_TIMEOUT_MS): Promise<Element[]> {
    const deadline = Date.now() + timeoutMs;
    const found: Element[] = [];
    try {
      while (found.length < count) found.push(await this.next(predicate, Math.max(0, deadline - Date.now())));
    } catch (err) {
      const cause = err instanceof Error ? err.message : String(err);
      throw new Error(`${this.label}: collected ${found.length}/${count} stanzas in ${timeoutMs} ms; ${cause}`);
    }
    return found;
  }

  /** Forget buffered stanzas (for example the presence flood after joining a room). */
  clear(): void {
    this.unconsumed.length = 0;
  }

  /** Fail every pending and future waiter at once; used when the connection goes away. */
  close(reason: string): void {
    this.closedReason = reason;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`${this.label}: ${reason}`));
  }

  private wait(predicate: StanzaPredicate, timeoutMs: number): Promise<Element> {
    if (this.closedReason !== null) return Promise.reject(new Error(`${this.label}: ${this.closedReason}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.remove(waiter);
        reject(new Error(`${this.label}: no matching stanza within ${timeoutMs} ms\n${this.describe()}`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: (stanza) => {
          clearTimeout(timer);
          resolve(stanza);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.push(waiter);
    });
  }

  private remove(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index !== -1) this.waiters.splice(index, 1);
  }

  /** The last few unconsumed stanzas: what arrived instead of what the test expected. */
  private describe(): string {
    const recent = this.unconsumed.slice(-5).map((s) => `  ${s.toString().slice(0, 300)}`);
    return recent.length === 0 ? "  (nothing unconsumed)" : `last unconsumed:\n${recent.join("\n")}`;
  }
}

function appendCapped<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}
