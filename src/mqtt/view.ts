/**
 * What one generation of the configuration gets as FeatureContext.mqtt: the gateway's connection,
 * with subscriptions of its own that end when it retires (the next generation's are open by then:
 * a reload loses nothing, and the persistent session queues what comes while none is).
 */
import { GatewayError } from "../plugin-api/errors.ts";
import type { Dispatcher, Subscription, SubscriptionSet } from "./dispatch.ts";
import { filterProblem } from "./topic.ts";
import type { Mqtt } from "./types.ts";

/** What of the connection a generation reaches. */
export interface ConnectionPort extends Pick<Mqtt, "publish" | "status"> {
  start(): void;
}

export class GenerationMqtt {
  readonly mqtt: Mqtt;
  readonly #set: SubscriptionSet;

  constructor(
    private readonly dispatcher: Dispatcher,
    connection: ConnectionPort,
    /** The subscriptions changed: the broker's follow (broker-filters.ts). */
    private readonly changed: () => Promise<void>,
  ) {
    this.#set = dispatcher.open();
    this.#start = () => connection.start();
    this.mqtt = {
      subscribe: (filter, options, handle) => this.#subscribe({ filter, options, handle }),
      publish: (topic, payload, options) => connection.publish(topic, payload, options),
      status: () => connection.status(),
    };
  }

  readonly #start: () => void;

  /** The generation stands, its routes subscribed: the connection may start (it connects once). */
  ready(): void {
    this.#start();
    void this.changed();
  }

  /** The generation retires: its subscriptions end; filters no other generation has are unsubscribed. */
  close(): void {
    if (this.#set.closed) return;
    this.dispatcher.close(this.#set);
    void this.changed();
  }

  #subscribe(subscription: Subscription): { close(): void } {
    const problem = filterProblem(subscription.filter);
    if (problem) throw new GatewayError("MQTT_TOPIC_INVALID", `not an MQTT topic filter: ${problem}`);
    this.#set.subscriptions.add(subscription);
    void this.changed();
    return {
      close: () => {
        this.#set.subscriptions.delete(subscription);
        void this.changed();
      },
    };
  }
}
