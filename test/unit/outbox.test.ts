import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { openStore } from "../../src/store/db.ts";
import { sqliteStore } from "../../src/store/sqlite/index.ts";
import { createOutbox } from "../../src/store/outbox.ts";
import { createStoreHealth } from "../../src/store/store-health.ts";
import type { Database } from "bun:sqlite";
import { Delivery, type DeliveryLink } from "../../src/xmpp/delivery.ts";
import { silentLogger } from "../../src/log.ts";
import { createBackoff } from "../../src/kit/backoff.ts";
import { GatewayError } from "../../src/plugin-api/errors.ts";
import { createBarrier, type Barrier } from "../../src/xmpp/barrier.ts";
import { XmppStanzaError } from "../../src/plugin-api/errors.ts";

/** A link that records what it writes and can be switched off. */
function fakeLink(): DeliveryLink & { status: string; written: string[] } {
  const link = {
    status: "online",
    /** No server here advertises privileges: settled whenever online. */
    get settled() {
      return link.status === "online";
    },
    written: [] as string[],
    async send(el: Element) {
      if (link.status !== "online") throw new Error("down");
      link.written.push(el.toString());
    },
    async sendRaw(s: string) {
      if (link.status !== "online") throw new Error("down");
      link.written.push(s);
    },
  };
  return link;
}

/** A server that confirms everything at once. */
const confirmed: Barrier = { after: async () => {} };

const COMPONENT = "gateway.localhost";
const OPTIONS = { component: COMPONENT, maxStanzaBytes: 500_000 };
const newOutbox = (db: Database, max: number) =>
  createOutbox(sqliteStore(db), max, createStoreHealth(sqliteStore(db), ":memory:", silentLogger));
const msg = (n: number) => xml("message", { to: "bob@localhost", from: COMPONENT, id: String(n) }, xml("body", {}, `m${n}`));

describe("delivery and the outbox", () => {
  test("sends at once while the link is up", async () => {
    const link = fakeLink();
    const d = new Delivery(link, newOutbox(openStore(":memory:"), 10), confirmed, silentLogger, OPTIONS);
    expect(await d.deliver(msg(1))).toBe("sent");
    expect(link.written).toHaveLength(1);
  });

  test("queues while the link is down and sends in order, once, when it returns", async () => {
    const link = fakeLink();
    const d = new Delivery(link, newOutbox(openStore(":memory:"), 10), confirmed, silentLogger, OPTIONS);
    link.status = "offline";
    for (let i = 1; i <= 3; i++) expect(await d.deliver(msg(i))).toBe("queued");
    expect(d.queued).toBe(3);
    link.status = "online";
    await d.drain();
    expect(link.written.map((s) => s.match(/id="(\d)"/)?.[1])).toEqual(["1", "2", "3"]);
    expect(d.queued).toBe(0);
  });

  test("refuses with OUTBOX_FULL past its bound", async () => {
    const link = fakeLink();
    link.status = "offline";
    const d = new Delivery(link, newOutbox(openStore(":memory:"), 2), confirmed, silentLogger, OPTIONS);
    await d.deliver(msg(1));
    await d.deliver(msg(2));
    const err = await d.deliver(msg(3)).catch((e: GatewayError) => e);
    expect((err as GatewayError).code).toBe("OUTBOX_FULL");
    expect((err as GatewayError).status).toBe(503);
  });

  test("keeps queued stanzas across a restart of the process (same file)", async () => {
    const file = `${Bun.env.TMPDIR ?? "/tmp"}/sg-outbox-${process.pid}-${Date.now()}.db`;
    const link = fakeLink();
    link.status = "offline";
    await new Delivery(link, newOutbox(openStore(file), 10), confirmed, silentLogger, OPTIONS).deliver(msg(7));
    const reopened = newOutbox(openStore(file), 10);
    expect(reopened.size()).toBe(1);
    expect((await reopened.peekAfter(0, 5))[0]?.stanza).toContain('id="7"');
  });
});

describe("asked before sending (DeliveryOptions.beforeSend: a groupchat's room)", () => {
  test("a row refused before it is sent goes to the dead letters with the reason; the rows around it are sent in order", async () => {
    const link = fakeLink();
    link.status = "offline";
    const db = openStore(":memory:");
    const beforeSend = async (row: string) => (row.includes('id="2"') ? "ROOM_REFUSED item-not-found: no such room" : undefined);
    const d = new Delivery(link, newOutbox(db, 10), confirmed, silentLogger, { ...OPTIONS, beforeSend });
    for (let i = 1; i <= 3; i++) await d.deliver(msg(i));
    link.status = "online";
    await d.drain();
    expect(link.written.map((s) => s.match(/id="(\d)"/)?.[1])).toEqual(["1", "3"]);
    expect([d.queued, d.dead]).toEqual([0, 1]);
    expect((await sqliteStore(db).dead.list()).map((r) => [r.stanza.match(/id="(\d)"/)?.[1], r.reason])).toEqual([
      ["2", "ROOM_REFUSED item-not-found: no such room"],
    ]);
  });

  test("a check that fails (the link dropped while the room was entered) keeps the row for the next drain", async () => {
    const link = fakeLink();
    link.status = "offline";
    let drops = 1;
    const beforeSend = async () => {
      if (drops-- > 0) {
        link.status = "offline";
        throw new GatewayError("LINK_DOWN");
      }
      return undefined;
    };
    const outbox = newOutbox(openStore(":memory:"), 10);
    const d = new Delivery(link, outbox, confirmed, silentLogger, { ...OPTIONS, beforeSend });
    await d.deliver(msg(1));
    link.status = "online";
    await d.drain();
    expect([link.written.length, d.queued, d.dead]).toEqual([0, 1, 0]);
    expect((await outbox.peekAfter(0, 1))[0]?.attempts).toBe(0); // a link drop is no attempt
    link.status = "online";
    await d.drain();
    expect([link.written.length, d.queued, d.dead]).toEqual([1, 0, 0]);
  });

  test("a check that keeps failing with the link up (a room that never answers) is an attempt: the fifth makes the row a dead letter", async () => {
    const link = fakeLink();
    link.status = "offline";
    const db = openStore(":memory:");
    const beforeSend = async (row: string) => {
      if (row.includes('id="1"')) throw new Error("XMPP_TIMEOUT: The room ops@muc.localhost did not answer in time");
      return undefined;
    };
    const d = new Delivery(link, newOutbox(db, 10), confirmed, silentLogger, { ...OPTIONS, beforeSend });
    await d.deliver(msg(1));
    await d.deliver(msg(2));
    link.status = "online";
    for (let attempt = 1; attempt <= 4; attempt++) {
      await d.drain();
      expect([d.queued, d.dead]).toEqual([2, 0]);
    }
    await d.drain();
    expect([d.queued, d.dead]).toEqual([1, 1]);
    expect((await sqliteStore(db).dead.list())[0]).toMatchObject({
      attempts: 5,
      reason: "XMPP_TIMEOUT: The room ops@muc.localhost did not answer in time",
    });
    await d.drain();
    expect(link.written.map((s) => s.match(/id="(\d)"/)?.[1])).toEqual(["2"]);
  });
});

describe("what the link may carry", () => {
  test("a stanza from outside the component's domain is refused before the outbox (the server would cut the link)", async () => {
    const link = fakeLink();
    link.status = "offline";
    const outbox = newOutbox(openStore(":memory:"), 10);
    const d = new Delivery(link, outbox, confirmed, silentLogger, OPTIONS);
    const err = (await d
      .deliver(xml("message", { to: "bob@localhost", from: "alice@localhost" }))
      .catch((e: GatewayError) => e)) as GatewayError;
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.details).toMatchObject({ field: "from" });
    expect(outbox.size()).toBe(0);
    expect(await d.deliver(xml("message", { to: "bob@localhost", from: `bot@${COMPONENT}/x` }))).toBe("queued");
  });
});

describe("delivery confirmation", () => {
  test("a stanza whose confirmation the link drop cut off is queued and sent again", async () => {
    const link = fakeLink();
    const outbox = newOutbox(openStore(":memory:"), 10);
    const d = new Delivery(link, outbox, { after: () => Promise.reject(new Error("XMPP link lost")) }, silentLogger, OPTIONS);
    expect(await d.deliver(msg(1))).toBe("queued");
    expect(outbox.size()).toBe(1);
  });

  test("an outbox batch stays until the server confirmed it", async () => {
    const link = fakeLink();
    link.status = "offline";
    const outbox = newOutbox(openStore(":memory:"), 10);
    let confirm = false;
    const d = new Delivery(
      link,
      outbox,
      {
        after: async () => {
          if (!confirm) throw new Error("link lost");
        },
      },
      silentLogger,
      OPTIONS,
    );
    await d.deliver(msg(1));
    link.status = "online";
    await d.drain();
    expect(outbox.size()).toBe(1);
    confirm = true;
    await d.drain();
    expect(outbox.size()).toBe(0);
  });

  test("one ping confirms every stanza written in the same turn; a later one waits for the next ping", async () => {
    let pings = 0;
    const barrier = createBarrier(async () => void pings++);
    await Promise.all([barrier.after(), barrier.after(), barrier.after()]);
    expect(pings).toBe(1);
    await barrier.after();
    expect(pings).toBe(2);
  });

  test("an error answer confirms too: the server handled what came before it", async () => {
    const barrier = createBarrier(() => Promise.reject(new XmppStanzaError("service-unavailable", "cancel", undefined, msg(0))));
    await barrier.after();
    const failing = createBarrier(() => Promise.reject(new Error("XMPP link lost")));
    expect(failing.after()).rejects.toThrow("XMPP link lost");
  });
});

describe("reconnect backoff", () => {
  test("doubles from the initial delay up to the cap", () => {
    const b = createBackoff(100, 1000, () => 0.5);
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });
});
