import { describe, expect, test } from "bun:test";
import { filterProblem, matchTopic, topicProblem, validFilter, validTopic, validTopicLevel } from "../../../src/mqtt/topic.ts";

describe("topic filters (MQTT 5 §4.7.1)", () => {
  test.each(["zigbee2mqtt/+/contact", "#", "+", "sport/#", "tele/+/SENSOR", "a//b", "/", "+/+", "$SYS/#"])("accept %s", (f) => {
    expect(validFilter(f)).toBe(true);
  });

  test.each([
    ["", "empty"],
    ["sport/#/x", "#"],
    ["sport#", "#"],
    ["sport/ten+", "+"],
    ["a\u0000b", "NUL"],
    ["x".repeat(65_536), "65535 bytes"],
  ])("refuse %j (%s)", (f) => {
    expect(validFilter(f)).toBe(false);
    expect(filterProblem(f)).toMatch(/MQTT 5 §/);
  });
});

describe("topics to publish to", () => {
  test.each(["zigbee2mqtt/kitchen/set", "cmnd/plug1/POWER", "a/b/c/" + "d/".repeat(98) + "e"])("accept %s", (t) => {
    expect(validTopic(t)).toBe(true);
  });

  test.each(["zigbee2mqtt/+/set", "a/#", "", "a\u0000"])("refuse %j", (t) => {
    expect(validTopic(t)).toBe(false);
    expect(topicProblem(t)).toBeDefined();
  });

  test("a value printed into a topic stays inside one level", () => {
    expect(validTopicLevel("kitchen")).toBe(true);
    expect(validTopicLevel("living room")).toBe(true);
    for (const bad of ["a/b", "+", "#", "x\u0000"]) expect(validTopicLevel(bad)).toBe(false);
  });

  test("an empty value, a control character, a non-character or a lone surrogate is no level of its own", () => {
    expect(validTopicLevel("salle à manger")).toBe(true);
    for (const bad of ["", "a\u0001", "a\u001f", "a\u007f", "a\u0085", "a\uffff", "a\ud800"]) expect(validTopicLevel(bad)).toBe(false);
  });

  test.each(["a\u0001/b", "dev/\u0085", "x/\ud800"])("a topic to publish to with %j is refused (MQTT 5 §1.5.4)", (t) => {
    expect(topicProblem(t)).toBeDefined();
  });
});

describe("matching a topic against a filter, with the wildcard segments in order", () => {
  test.each([
    ["zigbee2mqtt/+/contact", "zigbee2mqtt/door/contact", ["door"]],
    ["tele/+/SENSOR", "tele/plug1/SENSOR", ["plug1"]],
    ["+/+", "a/b", ["a", "b"]],
    ["sport/#", "sport/tennis/player1", ["tennis/player1"]],
    ["sport/#", "sport", [""]],
    ["#", "a/b/c", ["a/b/c"]],
    ["sport/+", "sport/", [""]],
    ["exact/topic", "exact/topic", []],
    ["+/x/#", "a/x/b/c", ["a", "b/c"]],
  ])("%s matches %s", (filter, topic, wildcards) => {
    expect(matchTopic(filter, topic)).toEqual(wildcards);
  });

  test.each([
    ["zigbee2mqtt/+/contact", "zigbee2mqtt/door/battery"],
    ["sport/+", "sport"],
    ["sport/+", "sport/a/b"],
    ["a/b", "a/b/c"],
    ["a/b/c", "a/b"],
    ["#", "$SYS/broker/uptime"],
    ["+/broker", "$SYS/broker"],
  ])("%s does not match %s", (filter, topic) => {
    expect(matchTopic(filter, topic)).toBeUndefined();
  });

  test("a filter naming $SYS explicitly matches it (MQTT 5 §4.7.2)", () => {
    expect(matchTopic("$SYS/#", "$SYS/broker/uptime")).toEqual(["broker/uptime"]);
  });
});
