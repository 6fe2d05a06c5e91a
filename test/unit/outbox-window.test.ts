// How much a drain has sent without a confirmation: what is sent again if the replica dies
// (SIGKILL, power) before the confirmations come back. Review of issue 26, findings 8 and 8b: a
// drain kept 4 batches of 500 unconfirmed, and a replica killed while draining had up to 2,000
// stanzas sent twice (789 and 1,260 observed). A drain now sends batches of 100: at most 400
// stanzas sent and not yet confirmed (docs/operations.md states the bound).
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { openStore } from "../../src/store/db.ts";
import { sqliteStore } from "../../src/store/sqlite/index.ts";
import { createOutbox } from "../../src/store/outbox.ts";
import { createStoreHealth } from "../../src/store/store-health.ts";
import { Delivery } from "../../src/xmpp/delivery.ts";
import { silentLogger } from "../../src/log.ts";
import { waitFor } from "../../testbed/timeouts.ts";

const COMPONENT = "gateway.localhost";
const msg = (n: number) => xml("message", { to: "bob@localhost", from: COMPONENT, id: String(n) }, xml("body", {}, `m${n}`));
/** Batches a drain keeps in flight before it waits for the oldest one's confirmation. */
const PIPELINE = 4;

/** A server that handles what it is sent but confirms (answers the ping after a batch) only when told. */
function slowServer() {
  const written: string[] = [];
  const pending: Array<() => void> = [];
  return {
    written,
    pending,
    link: {
      status: "offline",
      settled: true,
      onlineSince: new Date() as Date | undefined,
      lastError: undefined,
      sendRaw: async (s: string) => void written.push(s),
    },
    barrier: { after: () => new Promise<void>((resolve) => pending.push(resolve)) },
  };
}

describe("a drain's stanzas sent but not yet confirmed", () => {
  test("are at most 400, however many are queued: what a replica killed while draining sends twice", async () => {
    const server = slowServer();
    const store = sqliteStore(openStore(":memory:"));
    const outbox = createOutbox(store, 10_000, createStoreHealth(store, ":memory:", silentLogger));
    const d = new Delivery(server.link, outbox, server.barrier, silentLogger, { component: COMPONENT, maxStanzaBytes: 100_000 });
    for (let n = 1; n <= 3_000; n++) expect(await d.deliver(msg(n))).toBe("queued");
    server.link.status = "online";
    const drained = d.drain();
    // The drain waits for the first batch's confirmation once the pipeline is full.
    await waitFor(() => server.pending.length === PIPELINE, 5_000, "the pipeline to fill");
    expect(server.written.length).toBeLessThanOrEqual(400);
    expect(outbox.size()).toBe(3_000);
    // Confirmed batch by batch, everything goes, once, and the window never grows.
    let most = 0;
    while (outbox.size() > 0 || server.pending.length > 0) {
      await waitFor(() => server.pending.length > 0 || outbox.size() === 0, 5_000, "a confirmation to be awaited");
      most = Math.max(most, server.written.length - (3_000 - outbox.size()));
      server.pending.shift()?.();
    }
    await drained;
    expect(most).toBeLessThanOrEqual(400);
    expect(new Set(server.written).size).toBe(3_000);
  });
});
