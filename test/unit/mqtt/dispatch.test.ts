// Local dispatch of the one connection's messages (src/mqtt/dispatch.ts): which subscriptions get a
// message, when it is done (the moment it is acknowledged to the broker), and what a failure does.
import { describe, expect, test } from "bun:test";
import { silentLogger } from "../../../src/log.ts";
import { Dispatcher } from "../../../src/mqtt/dispatch.ts";
import type { MqttMessage } from "../../../src/mqtt/types.ts";
import { GatewayError } from "../../../src/plugin-api/errors.ts";

const message = (topic: string, retain = false): MqttMessage => ({
  topic,
  payload: new TextEncoder().encode("{}"),
  qos: 1,
  retain,
  properties: {},
});
const dispatcher = (live = () => true) => new Dispatcher({ log: silentLogger, retryDelay: () => 1, live });
const LIVE = { qos: 1, retained: false } as const;

describe("which subscriptions get a message", () => {
  test("every matching one of the newest generation, each with the same message; the message is done when both are", async () => {
    const d = dispatcher();
    const set = d.open();
    const seen: string[] = [];
    let release = () => {};
    const slow = new Promise<void>((resolve) => (release = resolve));
    let contactDone = () => {};
    const contact = new Promise<void>((resolve) => (contactDone = resolve));
    set.subscriptions.add({
      filter: "zigbee2mqtt/+/contact",
      options: LIVE,
      handle: async () => {
        seen.push("contact");
        contactDone();
      },
    });
    set.subscriptions.add({ filter: "zigbee2mqtt/#", options: LIVE, handle: () => slow.then(() => void seen.push("all")) });
    set.subscriptions.add({ filter: "tele/#", options: LIVE, handle: async () => void seen.push("tele") });
    let done = false;
    const outcome = d.dispatch(message("zigbee2mqtt/door/contact")).then((o) => ((done = true), o));
    await contact;
    expect(done).toBe(false);
    release();
    expect(await outcome).toBe("handled");
    expect(seen).toEqual(["contact", "all"]);
  });

  test("during a reload the new generation takes the message; the retiring one keeps what only it subscribes to", async () => {
    const d = dispatcher();
    const old = d.open();
    const fresh = d.open();
    const seen: string[] = [];
    old.subscriptions.add({ filter: "a/#", options: LIVE, handle: async () => void seen.push("old a") });
    old.subscriptions.add({ filter: "gone/#", options: LIVE, handle: async () => void seen.push("old gone") });
    fresh.subscriptions.add({ filter: "a/#", options: LIVE, handle: async () => void seen.push("new a") });
    await d.dispatch(message("a/1"));
    await d.dispatch(message("gone/1"));
    d.close(old);
    expect(await d.dispatch(message("gone/2"))).toBe("unrouted");
    expect(seen).toEqual(["new a", "old gone"]);
  });

  test("a retained message sent at subscribe time reaches only the subscriptions that asked for it", async () => {
    const d = dispatcher();
    const set = d.open();
    const seen: string[] = [];
    set.subscriptions.add({ filter: "stat/+/POWER", options: LIVE, handle: async () => void seen.push("live") });
    set.subscriptions.add({ filter: "stat/#", options: { qos: 1, retained: true }, handle: async () => void seen.push("retained too") });
    await d.dispatch(message("stat/plug1/POWER", true));
    expect(seen).toEqual(["retained too"]);
  });

  test("the broker's subscriptions: each filter once, with the highest QoS and retained when any asks", () => {
    const d = dispatcher();
    const a = d.open();
    const b = d.open();
    a.subscriptions.add({ filter: "x/#", options: { qos: 0, retained: true }, handle: async () => {} });
    b.subscriptions.add({ filter: "x/#", options: { qos: 1, retained: false }, handle: async () => {} });
    expect(d.filters()).toEqual(new Map([["x/#", { qos: 1, retained: true }]]));
  });
});

describe("when a handler fails", () => {
  test("a message that can never be rendered is done at once (acknowledged, counted as failed): it must not loop", async () => {
    const d = dispatcher();
    let calls = 0;
    d.open().subscriptions.add({
      filter: "#",
      options: LIVE,
      handle: async () => {
        calls++;
        throw new GatewayError("PAYLOAD_MISMATCH");
      },
    });
    expect(await d.dispatch(message("a"))).toBe("failed");
    expect(calls).toBe(1);
  });

  test("a full outbox or an unwritable store is retried until the message is safe, before it is acknowledged", async () => {
    const d = dispatcher();
    const failures = ["OUTBOX_FULL", "STORE_UNAVAILABLE"] as const;
    let calls = 0;
    d.open().subscriptions.add({
      filter: "#",
      options: LIVE,
      handle: async () => {
        const code = failures[calls++];
        if (code) throw new GatewayError(code);
      },
    });
    expect(await d.dispatch(message("a"))).toBe("handled");
    expect(calls).toBe(3);
  });

  test("a stopping connection stops retrying (the broker delivers the message again later)", async () => {
    let live = true;
    const d = dispatcher(() => live);
    d.open().subscriptions.add({
      filter: "#",
      options: LIVE,
      handle: async () => {
        live = false;
        throw new GatewayError("OUTBOX_FULL");
      },
    });
    expect(await d.dispatch(message("a"))).toBe("failed");
  });
});
