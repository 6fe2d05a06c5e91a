// A server that stalls with the stream still open (SIGSTOPped, swapping, a long GC): the
// confirmation pings time out, but what was written is still on the stream, and the server
// handles it, in order, when it wakes (RFC 6120 §10.1). Writing it again on the same stream gave
// one copy per drain retry (review of issue 23, finding 13: 3 messages became 13 after a 48 s
// stall). Only a new stream makes a row unconfirmed on the old one a suspect to send again.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { openStore } from "../../src/store/db.ts";
import { sqliteStore } from "../../src/store/sqlite/index.ts";
import { createOutbox } from "../../src/store/outbox.ts";
import { createStoreHealth } from "../../src/store/store-health.ts";
import { Delivery } from "../../src/xmpp/delivery.ts";
import { silentLogger } from "../../src/log.ts";

const COMPONENT = "gateway.localhost";
const msg = (n: number) => xml("message", { to: "bob@localhost", from: COMPONENT, id: String(n) }, xml("body", {}, `m${n}`));
const idOf = (s: string) => s.match(/id="([^"]+)"/)?.[1];

/** A server that handles every stanza written on its stream, but answers no ping while stalled. */
function stallingServer() {
  const handled: string[] = [];
  let stream: string[] = [];
  const server = {
    stalled: false,
    handled,
    link: {
      status: "online",
      settled: true,
      onlineSince: new Date() as Date | undefined,
      lastError: undefined as string | undefined,
      sendRaw: async (s: string) => void stream.push(s),
    },
    barrier: {
      after: async () => {
        if (server.stalled) throw new Error("iq timed out");
      },
    },
    /** Wakes up: handles everything written on the stream meanwhile, copies included. */
    wake() {
      server.stalled = false;
      handled.push(...stream);
      stream = [];
    },
    /** The stream is lost (the stalled bytes never handled) and a new one opened. */
    newStream() {
      stream = [];
      server.stalled = false;
      server.link.onlineSince = new Date();
    },
  };
  return server;
}

function delivery(server: ReturnType<typeof stallingServer>) {
  const store = sqliteStore(openStore(":memory:"));
  const outbox = createOutbox(store, 1_000, createStoreHealth(store, ":memory:", silentLogger));
  return { outbox, d: new Delivery(server.link, outbox, server.barrier, silentLogger, { component: COMPONENT, maxStanzaBytes: 100_000 }) };
}

describe("a server that stalls with the stream open", () => {
  test("unconfirmed stanzas are not written again on the same stream: each is handled once when it wakes", async () => {
    const server = stallingServer();
    const { d, outbox } = delivery(server);
    server.stalled = true;
    for (const n of [1, 2, 3]) expect(await d.deliver(msg(n))).toBe("queued");
    // The drain retries while the stall lasts (each retry's confirmation times out).
    for (let retry = 0; retry < 4; retry++) await d.drain();
    expect(outbox.size()).toBe(3);
    server.wake();
    await d.drain();
    expect(outbox.size()).toBe(0);
    expect(server.handled.map(idOf)).toEqual(["1", "2", "3"]);
  });

  test("on a new stream the rows the old one never confirmed are sent again", async () => {
    const server = stallingServer();
    const { d, outbox } = delivery(server);
    server.stalled = true;
    for (const n of [1, 2]) await d.deliver(msg(n));
    await d.drain();
    server.newStream();
    await d.drain();
    server.wake();
    expect(outbox.size()).toBe(0);
    expect(server.handled.map(idOf)).toEqual(["1", "2"]);
  });
});
