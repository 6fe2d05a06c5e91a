// The filters subscribed at the broker (src/mqtt/cover.ts): a broker sends one copy of a message per
// matching subscription, so no two of them may match one topic; every wanted filter stays covered.
import { describe, expect, test } from "bun:test";
import { brokerCover, overlap } from "../../../src/mqtt/cover.ts";
import { matchTopic } from "../../../src/mqtt/topic.ts";
import type { MqttSubscribeOptions } from "../../../src/mqtt/types.ts";

const Q1 = { qos: 1, retained: false } as const;
const cover = (entries: Array<[string, MqttSubscribeOptions]>) => Object.fromEntries(brokerCover(new Map(entries)));

describe("which filters the broker gets", () => {
  test("a filter covered by another is left to it: sensors/# under #, zigbee2mqtt/+ under zigbee2mqtt/#", () => {
    expect(
      cover([
        ["sensors/#", Q1],
        ["#", Q1],
      ]),
    ).toEqual({ "#": Q1 });
    expect(
      cover([
        ["zigbee2mqtt/+", Q1],
        ["zigbee2mqtt/#", Q1],
        ["tele/+/SENSOR", Q1],
      ]),
    ).toEqual({
      "zigbee2mqtt/#": Q1,
      "tele/+/SENSOR": Q1,
    });
  });

  test("two filters that only overlap become one that covers both", () => {
    expect(
      cover([
        ["a/+/c", Q1],
        ["a/b/+", Q1],
      ]),
    ).toEqual({ "a/+/+": Q1 });
    expect(
      cover([
        ["a/+/c", Q1],
        ["a/b/#", Q1],
      ]),
    ).toEqual({ "a/+/#": Q1 });
    expect(
      cover([
        ["a", Q1],
        ["a/#", Q1],
      ]),
    ).toEqual({ "a/#": Q1 });
  });

  test("the folded filter takes the highest QoS and asks for retained messages when any of its filters does", () => {
    expect(
      cover([
        ["s/#", { qos: 2, retained: false }],
        ["#", { qos: 0, retained: true }],
      ]),
    ).toEqual({ "#": { qos: 2, retained: true } });
  });

  test("filters that share no topic stay as they are, $ topics apart from wildcards (MQTT 5 §4.7.2)", () => {
    const apart: Array<[string, MqttSubscribeOptions]> = [
      ["#", Q1],
      ["$SYS/broker/uptime", Q1],
      ["a/b", Q1],
    ];
    expect(cover(apart.slice(0, 2))).toEqual({ "#": Q1, "$SYS/broker/uptime": Q1 });
    expect(
      cover([
        ["a/+", Q1],
        ["a/b/c", Q1],
        ["b/#", Q1],
      ]),
    ).toEqual({ "a/+": Q1, "a/b/c": Q1, "b/#": Q1 });
  });

  test("whatever the filters, no topic matches two broker filters and each wanted filter's topics match one", () => {
    const filters = ["#", "a/#", "a/+", "a/b", "+/b", "a/+/c", "a/b/+", "+/+/+", "$SYS/#", "x/y/#"];
    const topics = ["a", "a/b", "a/c", "x/b", "a/b/c", "a/z/c", "x/y", "x/y/z", "$SYS/a", "q/r/s", "a/b/c/d"];
    for (let mask = 1; mask < 1 << filters.length; mask += 7) {
      const wanted = filters.filter((_, i) => mask & (1 << i));
      const got = [...brokerCover(new Map(wanted.map((f) => [f, Q1]))).keys()];
      for (const topic of topics) {
        const at = got.filter((f) => matchTopic(f, topic) !== undefined);
        expect(at.length).toBeLessThanOrEqual(1);
        if (wanted.some((f) => matchTopic(f, topic) !== undefined)) expect(at.length).toBe(1);
      }
    }
  });
});

describe("overlap", () => {
  test("is true when some topic matches both", () => {
    expect(overlap("a/+", "+/b")).toBe(true);
    expect(overlap("sport/#", "sport")).toBe(true);
    expect(overlap("a/b", "a/b/c")).toBe(false);
    expect(overlap("+/x", "$SYS/x")).toBe(false);
  });
});
