// A whole gateway on `store: postgres://…` (issue 26 §1), in process with a fake XMPP server,
// on the test bed's PostgreSQL: what it queues while its link is down is sent by the gateway
// started next on the same database, and a `correct:` thread outlives the gateway that opened it
// (and, between replicas of different domains, is corrected only by the sender of its message).
import { afterEach, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { createGateway } from "../../../src/app.ts";
import { silentLogger } from "../../../src/log.ts";
import { waitFor } from "../../../testbed/timeouts.ts";
import { FAKE_HEAD, type FakeGateway, fakeGateway } from "../../helpers/fake-gateway.ts";
import { loadTestConfig } from "../../helpers/gateway.ts";
import { usePostgresDatabases } from "../../helpers/postgres-databases.ts";

const ROUTES = `routes:
  - path: /alert
    correct: { key: body.group }
    send: <message to="ops@localhost"><body>{{ body.text }}</body></message>
`;
const post = (body: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

const databases = usePostgresDatabases("gateway");
const freshDatabase = () => databases.fresh();
let gw: FakeGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

describe("a gateway whose store is PostgreSQL", () => {
  test("queues while its link is down (202); the next gateway on the database sends it, and the row goes", async () => {
    const url = await freshDatabase();
    const config = loadTestConfig(FAKE_HEAD.replace('store: ":memory:"', `store: ${JSON.stringify(url)}`) + ROUTES);
    // Never connected: its link stays down.
    const offline = await createGateway(config, { log: silentLogger });
    const queued = await offline.handle(new Request("http://127.0.0.1/alert", post({ text: "disk full" })));
    expect(queued.status).toBe(202);
    await offline.stop({ flushTimeoutMs: 0 });
    const rows = new SQL(url);
    expect(await rows`SELECT count(*)::int AS n FROM outbox`).toEqual([{ n: 1 }]);

    gw = await fakeGateway(ROUTES, { store: url });
    await waitFor(() => gw?.stanzas().some((s) => s.getChildText("body") === "disk full"), 15_000, "the queued message to be sent");
    await waitFor(async () => (await rows`SELECT count(*)::int AS n FROM outbox`)[0].n === 0, 15_000, "its row to be forgotten");
    await rows.close();
  });

  test("PostgreSQL stopped: 503 STORE_UNAVAILABLE and /health says why; started again, it queues again by itself", async () => {
    const url = await freshDatabase();
    const config = loadTestConfig(FAKE_HEAD.replace('store: ":memory:"', `store: ${JSON.stringify(url)}`) + ROUTES);
    const offline = await createGateway(config, { log: silentLogger });
    const alert = () => offline.handle(new Request("http://127.0.0.1/alert", post({ text: "disk full" })));
    const health = async () =>
      (await (await offline.handle(new Request("http://127.0.0.1/health"))).json()) as { store: { ok: boolean; error?: string } };
    let halted = false;
    try {
      expect((await alert()).status).toBe(202);
      await databases.server().halt();
      halted = true;
      const refused = await alert();
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { code: string }).code).toBe("STORE_UNAVAILABLE");
      // The first failure seen is told: the refused write, the topics' listener losing its
      // connection, or the health check's probe (every second), whichever came first.
      const { store } = await health();
      expect(store.ok).toBe(false);
      expect(store.error).toMatch(/queueing a stanza failed|topics from other replicas failed|probing the store failed/);
      await databases.server().start();
      halted = false;
      await waitFor(async () => (await health()).store.ok, 15_000, "the store to be reported writable again");
      expect((await alert()).status).toBe(202);
      const rows = new SQL(url);
      expect(await rows`SELECT count(*)::int AS n FROM outbox`).toEqual([{ n: 2 }]);
      await rows.close();
    } finally {
      await offline.stop({ flushTimeoutMs: 0 });
      // The next tests need the server, whatever failed here.
      if (halted) await databases.server().start();
    }
  });

  test("a correct: thread opened by one gateway is corrected by the next one on the same database", async () => {
    const url = await freshDatabase();
    gw = await fakeGateway(ROUTES, { store: url });
    expect((await gw.request("/alert", post({ group: "g1", text: "disk 90%" }))).status).toBe(201);
    const first = gw.stanzas().at(-1)?.attrs.id;
    await gw.stop();
    gw = await fakeGateway(ROUTES, { store: url });
    expect((await gw.request("/alert", post({ group: "g1", text: "disk 95%" }))).status).toBe(201);
    expect(first).toBeString();
    expect(gw.stanzas().at(-1)?.getChild("replace")?.attrs.id).toBe(first);
  });

  test("replicas with their own domains on one database: a correction comes only from the sender of the message it corrects (XEP-0308 §5)", async () => {
    const url = await freshDatabase();
    const r1 = await fakeGateway(ROUTES, { store: url, component: "r1.localhost" });
    const r2 = await fakeGateway(ROUTES, { store: url, component: "r2.localhost" });
    try {
      const sent = async (replica: FakeGateway, text: string) => {
        expect((await replica.request("/alert", post({ group: "g1", text }))).status).toBe(201);
        const stanza = replica.stanzas().at(-1);
        return { id: stanza?.attrs.id, from: stanza?.attrs.from, corrects: stanza?.getChild("replace")?.attrs.id };
      };
      const first = await sent(r1, "disk 90%");
      expect(first.from).toBe("r1.localhost");
      // r2 cannot send as r1.localhost: a new message, and the thread goes on from it.
      const second = await sent(r2, "disk 95%");
      expect(second).toMatchObject({ from: "r2.localhost", corrects: undefined });
      expect(await sent(r2, "disk 99%")).toMatchObject({ from: "r2.localhost", corrects: second.id });
    } finally {
      await r1.stop();
      await r2.stop();
    }
  });
});
