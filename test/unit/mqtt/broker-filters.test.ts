// The broker's subscriptions kept in line with the generations' (src/mqtt/broker-filters.ts): a
// persistent session keeps a subscription until it is undone, so the store remembers them.
import { describe, expect, test } from "bun:test";
import type { MqttClient } from "mqtt";
import { silentLogger } from "../../../src/log.ts";
import { BrokerFilters } from "../../../src/mqtt/broker-filters.ts";
import type { MqttSubscribeOptions } from "../../../src/mqtt/types.ts";

function fakeClient() {
  const calls: string[] = [];
  const client = {
    subscribeAsync: async (map: Record<string, { qos: number; rh?: number }>) => {
      calls.push(`SUBSCRIBE ${JSON.stringify(map)}`);
      return Object.entries(map).map(([topic, o]) => ({ topic, qos: o.qos }));
    },
    unsubscribeAsync: async (filters: string[]) => void calls.push(`UNSUBSCRIBE ${filters.join(" ")}`),
  };
  return { calls, client: client as unknown as MqttClient };
}

function store() {
  const map = new Map<string, Record<string, number>>();
  return {
    map,
    get: (k: string) => map.get(k),
    set: (k: string, v: Record<string, number>) => void map.set(k, v),
    delete: (k: string) => void map.delete(k),
  };
}

const wanted = (entries: Array<[string, MqttSubscribeOptions]>) => new Map(entries);

describe("bringing the broker's subscriptions in line", () => {
  test("a new session gets every filter, retained messages asked only where a route wants them (MQTT 5 Retain Handling)", async () => {
    const { calls, client } = fakeClient();
    const s = store();
    await new BrokerFilters(s, silentLogger).sync(
      client,
      "gw",
      wanted([
        ["zigbee2mqtt/+/contact", { qos: 1, retained: false }],
        ["stat/#", { qos: 1, retained: true }],
      ]),
      true,
      5,
    );
    expect(calls).toEqual(['SUBSCRIBE {"zigbee2mqtt/+/contact":{"qos":1,"rh":2},"stat/#":{"qos":1,"rh":1}}']);
    expect(s.map.get("gw")).toEqual({ "zigbee2mqtt/+/contact": 1, "stat/#": 1 });
  });

  test("a session the broker kept: only what changed, and the filters no longer configured are unsubscribed", async () => {
    const { calls, client } = fakeClient();
    const s = store();
    s.set("gw", { "old/#": 1, "keep/#": 1, "qos/#": 0 });
    const filters = new BrokerFilters(s, silentLogger);
    await filters.sync(
      client,
      "gw",
      wanted([
        ["keep/#", { qos: 1, retained: false }],
        ["qos/#", { qos: 1, retained: false }],
      ]),
      false,
      5,
    );
    expect(calls).toEqual(['SUBSCRIBE {"qos/#":{"qos":1,"rh":2}}', "UNSUBSCRIBE old/#"]);
    expect(s.map.get("gw")).toEqual({ "keep/#": 1, "qos/#": 1 });
  });

  test("overlapping filters are subscribed as one (cover.ts): a session holding both loses the covered one", async () => {
    const { calls, client } = fakeClient();
    const s = store();
    s.set("gw", { "sensors/#": 1, "#": 1 });
    const both = wanted([
      ["sensors/#", { qos: 1, retained: false }],
      ["#", { qos: 1, retained: false }],
      ["zigbee2mqtt/+", { qos: 1, retained: false }],
    ]);
    await new BrokerFilters(s, silentLogger).sync(client, "gw", both, false, 5);
    expect(calls).toEqual(["UNSUBSCRIBE sensors/#"]);
    expect(s.map.get("gw")).toEqual({ "#": 1 });
  });

  test("MQTT 3.1.1 has no Retain Handling: the option is left out", async () => {
    const { calls, client } = fakeClient();
    await new BrokerFilters(store(), silentLogger).sync(client, "gw", wanted([["a/#", { qos: 1, retained: false }]]), true, 4);
    expect(calls).toEqual(['SUBSCRIBE {"a/#":{"qos":1}}']);
  });

  test("a failed sync leaves the store as it was, so the next one tries again", async () => {
    const s = store();
    s.set("gw", { "old/#": 1 });
    const client = { subscribeAsync: () => Promise.reject(new Error("connection closed")) } as unknown as MqttClient;
    await new BrokerFilters(s, silentLogger).sync(client, "gw", wanted([["new/#", { qos: 1, retained: false }]]), false, 5);
    expect(s.map.get("gw")).toEqual({ "old/#": 1 });
  });
});

describe("replicas sharing the work (mqtt.share, MQTT 5 §4.8.2)", () => {
  test("with a share every broker filter is a shared subscription of the group, folded first (cover.ts)", async () => {
    const { calls, client } = fakeClient();
    const s = store();
    const both = wanted([
      ["sensors/#", { qos: 1, retained: false }],
      ["sensors/+/temp", { qos: 0, retained: false }],
    ]);
    await new BrokerFilters(s, silentLogger).sync(client, "gw-a", both, true, 5, "house");
    expect(calls).toEqual(['SUBSCRIBE {"$share/house/sensors/#":{"qos":1,"rh":2}}']);
    expect(s.map.get("gw-a")).toEqual({ "$share/house/sensors/#": 1 });
  });

  test("turning the share on unsubscribes the plain filters the session kept, and off again the shared ones", async () => {
    const { calls, client } = fakeClient();
    const s = store();
    s.set("gw-a", { "sensors/#": 1 });
    const filters = new BrokerFilters(s, silentLogger);
    const sensors = wanted([["sensors/#", { qos: 1, retained: false }]]);
    await filters.sync(client, "gw-a", sensors, false, 5, "house");
    await filters.sync(client, "gw-a", sensors, false, 5);
    expect(calls).toEqual([
      'SUBSCRIBE {"$share/house/sensors/#":{"qos":1,"rh":2}}',
      "UNSUBSCRIBE sensors/#",
      'SUBSCRIBE {"sensors/#":{"qos":1,"rh":2}}',
      "UNSUBSCRIBE $share/house/sensors/#",
    ]);
    expect(s.map.get("gw-a")).toEqual({ "sensors/#": 1 });
  });
});
