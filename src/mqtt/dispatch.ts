/**
 * One connection, many subscribers: every message the broker delivers is handed locally to the
 * subscriptions whose filter matches it (topic.ts), of the newest generation that has one (a
 * retiring generation keeps what only it still subscribes to until it stops: nothing is dropped in
 * a reload). The message is acknowledged once every one of them is done (types.ts `subscribe`).
 */
import { GatewayError } from "../plugin-api/errors.ts";
import type { Logger } from "../plugin-api/log.ts";
import { matchTopic } from "./topic.ts";
import type { MqttMessage, MqttSubscribeOptions } from "./types.ts";

export interface Subscription {
  filter: string;
  options: MqttSubscribeOptions;
  handle(m: MqttMessage): Promise<void>;
}

/** What became of one message: handled by every match, no subscription took it, or a handler failed (logged). */
export type Outcome = "handled" | "unrouted" | "failed";

/** The codes whose failure passes: the message is retried before it is acknowledged (types.ts). */
const TRANSIENT = new Set(["OUTBOX_FULL", "STORE_UNAVAILABLE"]);

export interface DispatchDeps {
  log: Logger;
  /** The delay before the `attempt`-th retry of a transient failure (backoff with jitter). */
  retryDelay(attempt: number): number;
  /** Whether retrying still makes sense (false once the connection stops: the broker delivers it again). */
  live(): boolean;
}

/** The subscriptions of one generation (FeatureContext.mqtt), in the order they were made. */
export class SubscriptionSet {
  readonly subscriptions = new Set<Subscription>();
  closed = false;
}

export class Dispatcher {
  /** Oldest first. */
  readonly #sets: SubscriptionSet[] = [];

  constructor(private readonly deps: DispatchDeps) {}

  open(): SubscriptionSet {
    const set = new SubscriptionSet();
    this.#sets.push(set);
    return set;
  }

  close(set: SubscriptionSet): void {
    set.closed = true;
    this.#sets.splice(this.#sets.indexOf(set) >>> 0, 1);
  }

  /** Every filter some open generation subscribes to, with the highest QoS and whether any wants retained messages. */
  filters(): Map<string, MqttSubscribeOptions> {
    const all = new Map<string, MqttSubscribeOptions>();
    for (const set of this.#sets) {
      for (const { filter, options } of set.subscriptions) {
        const had = all.get(filter);
        all.set(filter, {
          qos: Math.max(had?.qos ?? 0, options.qos) as 0 | 1 | 2,
          retained: (had?.retained ?? false) || options.retained,
        });
      }
    }
    return all;
  }

  /** `live`: whether retrying this message still makes sense (its connection is the current one); the deps' by default. */
  async dispatch(m: MqttMessage, live: () => boolean = this.deps.live): Promise<Outcome> {
    const targets = this.#targets(m.topic);
    if (targets.length === 0) return "unrouted";
    // MQTT 5 §3.3.1.3: RETAIN set on delivery marks a retained message sent because of a new subscription.
    const wanted = targets.filter((s) => !m.retain || s.options.retained);
    const results = await Promise.all(wanted.map((s) => this.#handle(s, m, live)));
    return results.every(Boolean) ? "handled" : "failed";
  }

  /** The matching subscriptions of the newest open generation that has any. */
  #targets(topic: string): Subscription[] {
    for (let i = this.#sets.length - 1; i >= 0; i--) {
      const set = this.#sets[i] as SubscriptionSet;
      const found = [...set.subscriptions].filter((s) => matchTopic(s.filter, topic) !== undefined);
      if (found.length > 0) return found;
    }
    return [];
  }

  /** True when handled; a failure is logged (and retried first when it passes). */
  async #handle(s: Subscription, m: MqttMessage, live: () => boolean): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await s.handle(m);
        return true;
      } catch (err) {
        const transient = err instanceof GatewayError && TRANSIENT.has(err.code);
        if (!transient || !live()) {
          this.deps.log.warn("an MQTT message could not be handled: acknowledged anyway", { topic: m.topic, filter: s.filter, err });
          return false;
        }
        const delay = this.deps.retryDelay(attempt);
        this.deps.log.info("an MQTT message waits: retrying before it is acknowledged", {
          topic: m.topic,
          code: err.code,
          delay_ms: delay,
        });
        await Bun.sleep(delay);
      }
    }
  }
}
