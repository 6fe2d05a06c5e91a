// A poisoned row cannot block the queue, and a store that cannot be written is loud and bounded.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../src/store/db.ts";
import { sqliteStore } from "../../src/store/sqlite/index.ts";
import { createOutbox, type Outbox } from "../../src/store/outbox.ts";
import { createStoreHealth } from "../../src/store/store-health.ts";
import { Delivery, MAX_ATTEMPTS } from "../../src/xmpp/delivery.ts";
import { silentLogger } from "../../src/log.ts";

const COMPONENT = "gateway.localhost";
const msg = (n: number | string) => xml("message", { to: "bob@localhost", from: COMPONENT, id: String(n) }, xml("body", {}, `m${n}`));
const idOf = (s: string) => s.match(/id="([^"]+)"/)?.[1];

/**
 * A server that closes the stream right after any stanza carrying `poison`: the confirmation of
 * what was written since the last one fails, and the link is offline until `reconnect()`.
 */
function poisonServer(poison: string) {
  const delivered: string[] = [];
  let pending: string[] = [];
  const server = {
    delivered,
    link: {
      status: "online",
      get settled() {
        return server.link.status === "online";
      },
      lastError: undefined as string | undefined,
      sendRaw: async (s: string) => {
        if (server.link.status !== "online") throw new Error("XMPP link is not online");
        pending.push(s);
      },
    },
    barrier: {
      after: async () => {
        const batch = pending;
        pending = [];
        const cut = batch.findIndex((s) => s.includes(poison));
        if (cut === -1) return void delivered.push(...batch);
        delivered.push(...batch.slice(0, cut));
        server.link.status = "offline";
        server.link.lastError = "stream error: policy-violation";
        throw new Error("XMPP link lost");
      },
    },
    reconnect() {
      server.link.status = "online";
      server.link.lastError = undefined;
    },
  };
  return server;
}

function setup(db: Database = openStore(":memory:"), path = ":memory:") {
  const health = createStoreHealth(sqliteStore(db), path, silentLogger);
  const outbox = createOutbox(sqliteStore(db), 1_000, health);
  return { db, health, outbox };
}

describe("a stanza the server closes the stream on", () => {
  test("is retried MAX_ATTEMPTS times, then dead-lettered with its reason; every other row is delivered once", async () => {
    const server = poisonServer("POISON");
    const { db, outbox } = setup();
    const d = new Delivery(server.link, outbox, server.barrier, silentLogger, { component: COMPONENT, maxStanzaBytes: 100_000 });
    server.link.status = "offline";
    for (const n of [1, 2, "POISON", 3, 4]) await d.deliver(msg(n));
    for (let i = 0; i < 2 * MAX_ATTEMPTS && outbox.size() > 0; i++) {
      server.reconnect();
      await d.drain();
    }
    expect(outbox.size()).toBe(0);
    // At least once: 1 and 2 went out in the batch the stream closed on, so they repeat once.
    expect(server.delivered.map(idOf)).toEqual(["1", "2", "1", "2", "3", "4"]);
    const dead = await sqliteStore(db).dead.list();
    expect(dead.map((r) => [idOf(r.stanza), r.attempts, r.reason])).toEqual([["POISON", MAX_ATTEMPTS, "stream error: policy-violation"]]);
    expect(d.dead).toBe(1);
  }, 30_000);

  test("a direct send the stream closes on is queued and isolated the same way", async () => {
    const server = poisonServer("POISON");
    const { outbox } = setup();
    const d = new Delivery(server.link, outbox, server.barrier, silentLogger, { component: COMPONENT, maxStanzaBytes: 100_000 });
    expect(await d.deliver(msg("POISON"))).toBe("queued");
    for (let i = 0; i < 2 * MAX_ATTEMPTS && outbox.size() > 0; i++) {
      server.reconnect();
      await d.drain();
    }
    expect([outbox.size(), d.dead]).toEqual([0, 1]);
  }, 30_000);
});

/** A link that records what it writes; the server confirms everything. */
function recordingLink() {
  const link = {
    status: "offline",
    get settled() {
      return link.status === "online";
    },
    written: [] as string[],
    sendRaw: async (s: string) => void link.written.push(s),
  };
  return link;
}
const confirmed = { after: async () => {} };
const delivery = (link: ReturnType<typeof recordingLink>, outbox: Outbox) =>
  new Delivery(link, outbox, confirmed, silentLogger, { component: COMPONENT, maxStanzaBytes: 100_000 });

describe("a store that cannot be written", () => {
  test("a failed insert answers 503 STORE_UNAVAILABLE and marks the store faulty; it recovers by itself", async () => {
    const { db, health, outbox } = setup();
    const d = delivery(recordingLink(), outbox);
    db.exec("PRAGMA query_only = ON");
    await expect(d.deliver(msg(1))).rejects.toMatchObject({ code: "STORE_UNAVAILABLE", status: 503 });
    expect(health.fault()).toContain("queueing a stanza failed");
    await expect(d.deliver(msg(2))).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
    await health.check();
    expect(health.fault()).toBeDefined();
    db.exec("PRAGMA query_only = OFF");
    await health.check();
    expect(health.fault()).toBeUndefined();
    expect(await d.deliver(msg(3))).toBe("queued");
  });

  test("a failed delete stops the drain: each row is sent once, not again and again", async () => {
    const { db, health, outbox } = setup();
    const link = recordingLink();
    const d = delivery(link, outbox);
    for (let n = 1; n <= 3; n++) await d.deliver(msg(n));
    db.exec("PRAGMA query_only = ON");
    link.status = "online";
    await d.drain();
    await d.drain();
    expect(link.written).toHaveLength(3);
    expect(health.writable()).toBe(false);
    db.exec("PRAGMA query_only = OFF");
    await health.check();
    await d.drain();
    expect(outbox.size()).toBe(0);
  });

  test("a store directory deleted while running is reported, and new stanzas are refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-gone-"));
    const path = join(dir, "s.db");
    const { health, outbox } = setup(openStore(path), path);
    const d = delivery(recordingLink(), outbox);
    expect(await d.deliver(msg(1))).toBe("queued");
    rmSync(dir, { recursive: true });
    await health.check();
    expect(health.fault()).toContain(`${path} was removed`);
    await expect(d.deliver(msg(2))).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
  });

  test("a missing store directory at start-up is an error that names it", () => {
    const path = join(tmpdir(), `sg-missing-${process.pid}-${Date.now()}`, "s.db");
    expect(() => openStore(path)).toThrow(`the store directory ${join(tmpdir(), `sg-missing-`)}`);
  });
});
