// post_msg across a gateway restart: the XEP-0356 message permission the server last advertised
// is kept in the store, so a message accepted while the link is still down after the restart
// (queued in the outbox) reaches bob from alice, not from fallback_from.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProsody } from "../../../testbed/prosody.ts";
import type { XmppServer } from "../../../testbed/xmpp-server.ts";
import { connectClient, messageWithBody, type TestClient } from "../../../testbed/xmpp-client.ts";
import { startGateway, type TestGateway } from "../../helpers/gateway.ts";

const TOKEN = "alice-app-token-0123456789";
const ROUTES = `
auth:
  app:
    kind: bearer
    tokens: [{ name: app, token: "${TOKEN}", jid: alice@localhost }]
routes:
  - plugin: post_msg
    auth: app
`;

let prosody: XmppServer;
let gw: TestGateway | undefined;
let bob: TestClient | undefined;

beforeAll(async () => {
  prosody = await startProsody();
}, 30_000);

afterAll(async () => {
  await bob?.stop();
  await gw?.stop();
  await prosody?.stop();
});

describe("a message queued after a gateway restart, before the link is back", () => {
  test("goes out as alice, as the server granted message=outgoing before the restart", async () => {
    const store = join(mkdtempSync(join(tmpdir(), "sg-pm-restart-")), "s.db");
    const first = await startGateway(prosody, { routes: ROUTES, store, waitForPrivileges: true });
    await first.stop();
    await prosody.stopProcess();

    gw = await startGateway(prosody, { routes: ROUTES, store, waitOnline: false });
    const res = await gw.post("/msg/bob", {
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "text/plain" },
      body: "queued while down",
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "queued", to: "bob@localhost", from: "alice@localhost" });

    await prosody.startProcess();
    bob = await connectClient(prosody, "bob");
    const message = await bob.nextStanza(messageWithBody("queued while down"), 15_000);
    expect(message.attrs.from).toBe("alice@localhost");
  }, 30_000);
});
