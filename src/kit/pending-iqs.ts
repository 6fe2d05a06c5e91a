/**
 * Iqs sent and waiting for their answers (RFC 6120 §8.2.3: a get/set gets a result or an error
 * with the same id). Answers are matched by id and by sender, or anyone could settle our requests.
 * Used by the link's `request` (one answer) and by roster_admin (one answer per roster item).
 */
import type { Element } from "ltx";

/** What one answer means for the request: wait for more, or end it with a value or an error. */
export type AnswerVerdict<T> = { more: true } | { value: T } | { error: Error };

interface Entry {
  /** Lower-cased sender the answers must come from. */
  from: string | undefined;
  /** true: an answer without `from` does not match (roster_admin); false: it does (the link). */
  strictFrom: boolean;
  answer(el: Element): boolean;
  fail(err: Error): void;
}

export class PendingIqs {
  private readonly waiting = new Map<string, Entry>();
  private counter = 0;
  private readonly prefix = Math.random().toString(36).slice(2, 8);

  constructor(private readonly tag: string) {}

  /**
   * Sets the id of `iq` (unless it has one) and resolves with what `answer` makes of its answers;
   * rejects with `timedOut()` after `timeoutMs`, or with the error `send` rejects with.
   */
  wait<T>(
    iq: Element,
    send: (iq: Element) => Promise<void>,
    options: { timeoutMs: number; timedOut: () => Error; strictFrom?: boolean; answer: (el: Element) => AnswerVerdict<T> },
  ): Promise<T> {
    const id = iq.attrs.id ?? `${this.tag}-${this.prefix}-${++this.counter}`;
    iq.attrs.id = id;
    const answered = new Promise<T>((resolve, reject) => {
      const end = () => {
        clearTimeout(timer);
        this.waiting.delete(id);
      };
      const timer = setTimeout(() => (end(), reject(options.timedOut())), options.timeoutMs);
      this.waiting.set(id, {
        from: iq.attrs.to?.toLowerCase(),
        strictFrom: options.strictFrom ?? false,
        answer: (el) => {
          const verdict = options.answer(el);
          if ("more" in verdict) return true;
          end();
          if ("error" in verdict) reject(verdict.error);
          else resolve(verdict.value);
          return true;
        },
        fail: (err) => (end(), reject(err)),
      });
    });
    send(iq).catch((err: Error) => this.waiting.get(id)?.fail(err));
    return answered;
  }

  /** Takes `el` if it answers a pending iq; returns whether it did. */
  take(el: Element): boolean {
    if (el.name !== "iq" || (el.attrs.type !== "result" && el.attrs.type !== "error")) return false;
    const entry = this.waiting.get(el.attrs.id ?? "");
    if (!entry || !fromMatches(entry, el.attrs.from)) return false;
    return entry.answer(el);
  }

  /** Fails every pending iq (the link went down: their answers will never come). */
  cancelAll(err: Error): void {
    for (const entry of [...this.waiting.values()]) entry.fail(err);
  }
}

function fromMatches(entry: Entry, from: string | undefined): boolean {
  if (entry.from === undefined) return true;
  if (from === undefined) return !entry.strictFrom;
  return from.toLowerCase() === entry.from;
}
