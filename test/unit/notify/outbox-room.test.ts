// A notification to several recipients is queued whole or refused whole when the outbox is
// nearly full (review 2, N2): never a message to some recipients and a 503 to the sender.
import { describe, expect, test } from "bun:test";
import { openStore } from "../../../src/store/db.ts";
import { sqliteStore } from "../../../src/store/sqlite/index.ts";
import { createOutbox } from "../../../src/store/outbox.ts";
import { createStoreHealth } from "../../../src/store/store-health.ts";
import { Delivery } from "../../../src/xmpp/delivery.ts";
import { silentLogger } from "../../../src/log.ts";
import { sendNotification } from "../../../src/notify/send.ts";

const COMPONENT = "gw.localhost";
const TO = ["a@localhost", "b@localhost"];

/** A gateway whose XMPP link is down, with an outbox of `max` stanzas. */
function offlineGateway(max: number) {
  const db = openStore(":memory:");
  const outbox = createOutbox(sqliteStore(db), max, createStoreHealth(sqliteStore(db), ":memory:", silentLogger));
  const link = { status: "offline", settled: false, sendRaw: async () => {} };
  const delivery = new Delivery(link, outbox, { after: async () => {} }, silentLogger, { component: COMPONENT, maxStanzaBytes: 10_000 });
  let n = 0;
  const ports = {
    component: COMPONENT,
    maxStanzaBytes: 10_000,
    newId: () => `id${++n}`,
    deliver: (s: Parameters<Delivery["deliver"]>[0]) => delivery.deliver(s),
    reserve: (s: Parameters<Delivery["reserve"]>[0]) => delivery.reserve(s),
  };
  const queuedTo = async () => (await outbox.peekAfter(0, 100)).map((row) => row.stanza.match(/to="([^"]+)"/)?.[1]);
  return { ports, queuedTo, outbox };
}

describe("a notification and a nearly full outbox", () => {
  test("no room for every recipient's message: 503 OUTBOX_FULL and none of them queued", async () => {
    const gw = offlineGateway(3);
    expect(await sendNotification({ text: "m1" }, TO, gw.ports)).toMatchObject({ outcome: "queued" });
    await expect(sendNotification({ text: "m2" }, TO, gw.ports)).rejects.toMatchObject({ code: "OUTBOX_FULL", status: 503 });
    expect(await gw.queuedTo()).toEqual(["a@localhost", "b@localhost"]);
  });

  test("room for exactly every message: all of them queued", async () => {
    const gw = offlineGateway(4);
    await sendNotification({ text: "m1" }, TO, gw.ports);
    expect(await sendNotification({ text: "m2" }, TO, gw.ports)).toMatchObject({ outcome: "queued" });
    expect(await gw.queuedTo()).toEqual([...TO, ...TO]);
  });

  test("room set aside for one notification is not taken by another; what was not used is given back", async () => {
    const gw = offlineGateway(3);
    expect(gw.outbox.reserve(2)).toBe(true);
    await expect(sendNotification({ text: "other" }, TO, gw.ports)).rejects.toMatchObject({ code: "OUTBOX_FULL" });
    gw.outbox.release(2);
    expect(await sendNotification({ text: "other" }, TO, gw.ports)).toMatchObject({ outcome: "queued" });
    expect(await gw.queuedTo()).toEqual(TO);
  });
});
