/**
 * The filters subscribed at the broker, brought in line with what the generations subscribe to.
 * A persistent session keeps a subscription until it is undone (MQTT 5 §4.1), even across our
 * restarts: the store remembers what was subscribed per client id, so a filter no longer in
 * routes.yaml is unsubscribed, not left queueing messages at the broker forever. What is
 * subscribed is the routes' filters folded so that none overlaps another (cover.ts), each as a
 * shared subscription when replicas share the work (`mqtt.share`, MQTT 5 §4.8.2): the broker then
 * hands each message to one member of the group. The store keeps the filters as subscribed,
 * `$share/` prefix included, so turning `share` on or off unsubscribes the old form.
 */
import type { MqttClient } from "mqtt";
import type { Logger } from "../plugin-api/log.ts";
import type { Keyed } from "../plugin-api/store.ts";
import { brokerCover } from "./cover.ts";
import type { ProtocolVersion } from "./options.ts";
import type { MqttSubscribeOptions } from "./types.ts";

/** MQTT 5 §3.9.3: a SUBACK reason code of 0x80 or more refuses the subscription. */
const REFUSED = 0x80;

export class BrokerFilters {
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Keyed<Record<string, number>>,
    private readonly log: Logger,
  ) {}

  /** One after the other: a sync sees what the one before it left. `fresh`: the broker has no session (knows no filter). */
  sync(
    client: MqttClient,
    clientId: string,
    wanted: ReadonlyMap<string, MqttSubscribeOptions>,
    fresh: boolean,
    version: ProtocolVersion,
    share?: string,
  ): Promise<void> {
    this.#chain = this.#chain
      .then(() => this.#apply(client, clientId, sharedAs(brokerCover(wanted), share), fresh, version))
      .catch((err: unknown) => this.log.warn("the MQTT subscriptions could not be brought up to date", { err }));
    return this.#chain;
  }

  /** `wanted`: the broker filters, as subscribed (cover.ts, shared). */
  async #apply(
    client: MqttClient,
    clientId: string,
    wanted: ReadonlyMap<string, MqttSubscribeOptions>,
    fresh: boolean,
    version: ProtocolVersion,
  ) {
    const known = fresh ? {} : (this.store.get(clientId) ?? {});
    const add = [...wanted].filter(([filter, o]) => known[filter] !== o.qos);
    const gone = Object.keys(known).filter((filter) => !wanted.has(filter));
    if (add.length > 0) {
      // MQTT 5 §3.8.3.1 Retain Handling: 1 sends retained messages only to a new subscription, 2 never.
      const map = Object.fromEntries(
        add.map(([filter, o]) => [filter, { qos: o.qos, ...(version === 5 ? { rh: o.retained ? 1 : 2 } : {}) }]),
      );
      const grants = await client.subscribeAsync(map);
      for (const g of grants)
        if (g.qos >= REFUSED) this.log.warn("the MQTT broker refused a subscription", { filter: g.topic, code: g.qos });
    }
    if (add.length > 0) this.log.info("MQTT filters subscribed", { filters: add.map(([filter]) => filter) });
    if (gone.length > 0) {
      await client.unsubscribeAsync(gone);
      this.log.info("MQTT filters no longer configured were unsubscribed", { filters: gone });
    }
    this.store.set(clientId, Object.fromEntries([...wanted].map(([filter, o]) => [filter, o.qos])));
  }
}

/**
 * One copy per message: no two broker filters overlap (cover.ts); dispatch.ts finds every route it
 * matches. With a share each becomes `$share/<share>/<filter>` (MQTT 5 §4.8.2): the broker delivers
 * a message to one session of the group, under its own topic, so dispatch.ts needs no change.
 * `check` refuses `retained: true` beside a share: a shared subscription gets no retained message.
 */
function sharedAs(cover: ReadonlyMap<string, MqttSubscribeOptions>, share: string | undefined): Map<string, MqttSubscribeOptions> {
  if (share === undefined) return new Map(cover);
  return new Map([...cover].map(([filter, o]) => [`$share/${share}/${filter}`, o]));
}
