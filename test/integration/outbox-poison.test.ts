// Nothing the server would refuse reaches the stream, and a stanza it refuses anyway cannot block
// the queue: against a real Prosody 0.12, whose component port closes the stream on a stanza over
// 512 KiB or on a character XML cannot carry, and ejabberd 23.01, which takes such a size.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { testServers } from "../helpers/servers.ts";
import { connectClient, isMessageWithBody, type TestClient } from "../../testbed/xmpp-client.ts";
import { logTail, startGateway, type TestGateway } from "../helpers/gateway.ts";
import { waitFor } from "../../testbed/timeouts.ts";

const KICK = "Basic YWxhZGRpbjpvcGVuc2VzYW1l";
const ROUTES = `
auth:
  ops: { kind: header, value: "${KICK}" }
routes:
  - path: /say
    body: { text: string }
    send: <message to="bob@localhost" type="chat"><body>{{ body.text }}</body></message>
  - plugin: muc_kick
    auth: ops
  - plugin: post_msg
    auth: ops
`;

let prosody: XmppServer | undefined;
let bob: TestClient | undefined;
let gw: TestGateway | undefined;
/** The server and gateway are shared by a describe block's tests (its beforeAll/afterAll own them). */
let shared = false;

afterEach(async () => {
  await bob?.stop();
  bob = undefined;
  if (shared) return;
  await gw?.stop();
  await prosody?.stop();
  [gw, prosody] = [undefined, undefined];
});

/** A gateway on a fresh store file; `maxStanzaBytes` above Prosody's limit lets a poisoned stanza through. */
function gateway(p: XmppServer, maxStanzaBytes?: number): Promise<TestGateway> {
  const store = join(mkdtempSync(join(tmpdir(), "sg-poison-")), "s.db");
  return startGateway(p, { routes: ROUTES, store, xmpp: maxStanzaBytes ? [`max_stanza_bytes: ${maxStanzaBytes}`] : [] });
}

const post = (path: string, body: unknown, type = "application/json") =>
  gw!.post(path, { headers: { "content-type": type, authorization: KICK }, body: typeof body === "string" ? body : JSON.stringify(body) });

for (const server of testServers())
  describe(server.name, () => {
    describe("refused before the stream", () => {
      // One server and gateway for these tests: what they send never reaches the stream, and each
      // shows the link stayed the same one.
      beforeAll(async () => {
        shared = true;
        prosody = await server.start();
        gw = await gateway(prosody);
      });
      afterAll(async () => {
        shared = false;
        await gw?.stop();
        await prosody?.stop();
        [gw, prosody] = [undefined, undefined];
      });

      test("a stanza over the size limit is a 413 naming the limit; the link stays up", async () => {
        if (!gw || !prosody) throw new Error("no gateway");
        const since = gw.gateway.link.onlineSince;
        const res = await post("/say", { text: "<".repeat(200_000) });
        expect(res.status).toBe(413);
        expect(await res.json()).toMatchObject({ code: "STANZA_TOO_LARGE", limit: 500_000 });
        expect(gw.gateway.delivery.queued).toBe(0);
        bob = await connectClient(prosody, "bob");
        expect((await post("/say", { text: "after" })).status).toBe(201);
        expect((await bob.nextStanza(isMessageWithBody, 10_000)).getChildText("body")).toBe("after");
        expect(gw.gateway.link.onlineSince).toBe(since);
      });

      test("U+FFFF in a post_msg recipient (path or JSON to) is a 400, never 202", async () => {
        if (!gw) throw new Error("no gateway");
        const inPath = await post("/msg/%EF%BF%BF", "hi", "text/plain");
        expect(inPath.status).toBe(400);
        const inJson = await post("/msg", { to: "bob@localhost/\uffff", body: "hi" });
        expect(inJson.status).toBe(400);
        expect(await inJson.json()).toMatchObject({ code: "INVALID_JID" });
        expect(gw.gateway.delivery.queued).toBe(0);
      });

      test("muc_kick with U+FFFF in the room is a 400 and the link is untouched", async () => {
        if (!gw || !prosody) throw new Error("no gateway");
        const since = gw.gateway.link.onlineSince;
        const res = await post("/muc_kick", { muc: "\uffff@muc.localhost", nickname: "Bob" });
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ code: "INVALID_JID" });
        // A round trip through the server after the refusal: the stream is still the same one.
        bob = await connectClient(prosody, "bob");
        expect((await post("/say", { text: "still here" })).status).toBe(201);
        expect(gw.gateway.link.onlineSince).toBe(since);
      });
    });

    describe("a stanza the server closes the stream on", () => {
      if (server.name === "ejabberd") {
        test("ejabberd 23.01 difference: its component port takes the 600 KB stanza Prosody closes the stream on (201), and nothing is dead-lettered", async () => {
          prosody = await server.start();
          gw = await gateway(prosody, 4_000_000);
          bob = await connectClient(prosody, "bob");
          expect((await post("/say", { text: "x".repeat(600_000) })).status).toBe(201);
          for (let n = 1; n <= 5; n++) expect((await post("/say", { text: `after ${n}` })).status).toBe(201);
          const later = await bob.collect((s) => isMessageWithBody(s) && s.getChildText("body")?.startsWith("after ") === true, 5, 40_000);
          expect(later.map((m) => m.getChildText("body"))).toEqual(["after 1", "after 2", "after 3", "after 4", "after 5"]);
          expect(await (await fetch(`${gw.url}/health`)).json()).toMatchObject({ status: "ok", outbox: { queued: 0, dead: 0 } });
        }, 60_000);
        return;
      }
      test("is retried a few times, then dead-lettered; the messages after it arrive and nothing else is lost", async () => {
        prosody = await server.start();
        gw = await gateway(prosody, 4_000_000);
        bob = await connectClient(prosody, "bob");
        const poisoned = await post("/say", { text: "x".repeat(600_000) });
        expect(poisoned.status).toBe(202);
        for (let n = 1; n <= 5; n++) expect([201, 202]).toContain((await post("/say", { text: `after ${n}` })).status);

        const later = await bob.collect(isMessageWithBody, 5, 40_000);
        expect(later.map((m) => m.getChildText("body"))).toEqual(["after 1", "after 2", "after 3", "after 4", "after 5"]);
        await waitFor(
          () => gw!.gateway.delivery.dead === 1 && gw!.gateway.delivery.queued === 0,
          10_000,
          "the dead letter and the last confirmation",
          logTail(gw.logs),
        );
        const health = await (await fetch(`${gw.url}/health`)).json();
        expect(health).toMatchObject({ status: "ok", outbox: { queued: 0, dead: 1 } });
        const db = new Database(gw.config.store, { readonly: true });
        const rows = db.query<{ attempts: number; reason: string }, []>("SELECT attempts, reason FROM dead_letter").all();
        db.close();
        expect(rows).toHaveLength(1);
        expect(rows[0]?.attempts).toBe(5);
        expect(gw.logs.some((l) => l.msg?.toString().includes("dead letters") && typeof l.seq === "number")).toBe(true);
      }, 60_000);
    });
  });
