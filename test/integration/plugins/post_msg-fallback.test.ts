// post_msg when the server grants no XEP-0356 message permission: the gateway says so once the
// link is up, and messages come from fallback_from, an address of the component's domain.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Prosody } from "../../../testbed/prosody.ts";
import { testServers } from "../../helpers/servers.ts";
import { allOf, connectClient, isMessageFrom, messageWithBody, type TestClient } from "../../../testbed/xmpp-client.ts";
import { startGateway, waitFor, type TestGateway } from "../../helpers/gateway.ts";

for (const server of testServers()) describe(server.name, () => {
  let prosody: Prosody;
  let gw: TestGateway;
  let bob: TestClient;
  let fallback: string;

  beforeAll(async () => {
    prosody = await server.start({ privileges: null });
    fallback = `notify@${prosody.componentDomain}`;
    gw = await startGateway(prosody, {
      routes: `
auth:
  users: { kind: xmpp, server: "xmpp://127.0.0.1:${prosody.c2sPort}" }
routes:
  - plugin: post_msg
    auth: users
    options: { fallback_from: "${fallback}" }
`,
    });
    bob = await connectClient(prosody, "bob");
  }, 30_000);

  afterAll(async () => {
    await bob?.stop();
    await gw?.stop();
    await prosody?.stop();
  });

  const ALICE = `Basic ${btoa("alice@localhost:alice-pw")}`;

  describe("without the XEP-0356 message permission", () => {
    test("the gateway warns, once the link is up, that messages will not come from the user", async () => {
      const isWarning = (l: Record<string, unknown>) => l.level === "warn" && String(l.msg).includes("no XEP-0356 message permission");
      await waitFor(() => gw.logs.some(isWarning), 10_000, "the missing-permission warning", gw.logs);
      expect(gw.logs.filter(isWarning)).toHaveLength(1);
      expect(gw.logs.find(isWarning)).toMatchObject({ plugin: "post_msg", host: "localhost", fallback_from: fallback });
    });

    test("alice's message reaches bob from fallback_from, and the answer says so", async () => {
      const res = await gw.post("/msg/bob", { headers: { authorization: ALICE, "content-type": "text/plain" }, body: "from the gateway" });
      expect(res.status).toBe(201);
      expect(await res.json()).toEqual({ status: "sent", to: "bob@localhost", from: fallback });
      const message = await bob.nextStanza(allOf(isMessageFrom(fallback), messageWithBody("from the gateway")));
      expect(message.attrs).toMatchObject({ from: fallback, to: "bob@localhost", type: "chat" });
    });
  });
});
