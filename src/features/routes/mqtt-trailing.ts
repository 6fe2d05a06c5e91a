/**
 * `min_interval`'s trailing edge: of the messages a topic's interval skips, the newest is held and
 * handled when the interval ends, so the last reading of a burst is shown, not the first one
 * forever (a sensor that then goes quiet would leave a stale value in the chat for hours).
 *
 * Held in memory only: the skipped message was acknowledged to the broker when it was skipped (it
 * must not hold back the topic's flood), so a crash, a restart or a reload before the interval
 * ends forgets it, and the topic's next message is the next one shown. Bounded in bytes: past the
 * bound a skipped message is not held (skipped as before), so a flood over many topics costs at
 * most MAX_HELD_BYTES.
 */
import type { MqttMessage } from "../../mqtt/types.ts";

/** What all held messages of one route may weigh together (payload bytes). */
const MAX_HELD_BYTES = 8 * 1024 * 1024;

export type Schedule = (run: () => void, ms: number) => { cancel(): void };

const timer: Schedule = (run, ms) => {
  const handle = setTimeout(run, ms);
  return { cancel: () => clearTimeout(handle) };
};

interface Held {
  message: MqttMessage;
  pending: { cancel(): void };
}

export class Trailing {
  readonly #held = new Map<string, Held>();
  #bytes = 0;

  constructor(
    private readonly schedule: Schedule = timer,
    private readonly maxBytes = MAX_HELD_BYTES,
  ) {}

  /** Holds `message` as the newest of `slot`, handed to `handle` in `ms` (a newer one replaces it meanwhile). False when over the bound. */
  hold(slot: string, message: MqttMessage, ms: number, handle: (m: MqttMessage) => void): boolean {
    const held = this.#held.get(slot);
    const bytes = this.#bytes - (held?.message.payload.byteLength ?? 0) + message.payload.byteLength;
    if (bytes > this.maxBytes) return false;
    this.#bytes = bytes;
    if (held) {
      held.message = message;
      return true;
    }
    const pending = this.schedule(() => {
      const due = this.#held.get(slot);
      if (!due) return;
      this.drop(slot);
      handle(due.message);
    }, ms);
    this.#held.set(slot, { message, pending });
    return true;
  }

  /** A newer message of `slot` goes now: the older one held is not sent after it. */
  drop(slot: string): void {
    const held = this.#held.get(slot);
    if (!held) return;
    held.pending.cancel();
    this.#held.delete(slot);
    this.#bytes -= held.message.payload.byteLength;
  }

  /** The route stops: what it holds is forgotten (see above). */
  clear(): void {
    for (const { pending } of this.#held.values()) pending.cancel();
    this.#held.clear();
    this.#bytes = 0;
  }
}
