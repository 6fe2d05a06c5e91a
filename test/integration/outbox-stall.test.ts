// A server stopped with the stream open (SIGSTOP: a stalled or swapping host) must not multiply
// messages: every confirmation times out meanwhile and the outbox retries, but what was written is
// still on the stream and the server handles it once it continues (review of issue 23, finding
// 13: a 48 s stall made 6 requests into 14 messages). Against each real server.
import { afterEach, describe, expect, test } from "bun:test";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { testServers } from "../helpers/servers.ts";
import { connectClient, isMessageWithBody, messageWithBody, type TestClient } from "../../testbed/xmpp-client.ts";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { waitFor } from "../../testbed/timeouts.ts";

const ROUTES = `
routes:
  - path: /say
    body: { n: integer }
    send: <message to="bob@localhost" type="chat"><body>message {{ body.n }}</body></message>
`;
const MARKER = 1_000_000;
const RETRIES = 3;

let server: XmppServer | undefined;
let bob: TestClient | undefined;
let gw: TestGateway | undefined;

afterEach(async () => {
  if (server?.pid) process.kill(server.pid, "SIGCONT");
  await bob?.stop();
  await gw?.stop();
  await server?.stop();
  [bob, gw, server] = [undefined, undefined, undefined];
});

const say = (url: string, n: number) =>
  fetch(`${url}/say`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ n }) });

for (const kind of testServers()) {
  describe(kind.name, () => {
    test(`stopped while ${RETRIES} drain retries time out: each message arrives once when it continues`, async () => {
      server = await kind.start();
      bob = await connectClient(server, "bob");
      gw = await startGateway(server, { routes: ROUTES, xmpp: ["iq_timeout_ms: 500"] });
      const { url, logs } = gw;
      const pid = server.pid as number;
      process.kill(pid, "SIGSTOP");
      try {
        const answers = await Promise.all([1, 2, 3].map(async (n) => (await say(url, n)).status));
        expect(answers).toEqual([202, 202, 202]);
        const cutOff = () => logs.filter((l) => l.msg === "outbox drain cut off; unconfirmed stanzas will be sent again").length;
        await waitFor(() => cutOff() >= RETRIES, 20_000, `${RETRIES} drain retries during the stop`);
      } finally {
        process.kill(pid, "SIGCONT");
      }
      await waitFor(
        async () => ((await (await fetch(`${url}/health`)).json()) as { outbox?: { queued?: number } }).outbox?.queued === 0,
        20_000,
        "the outbox to empty",
      );
      // Sent once the outbox is empty: any copy the gateway wrote comes before it on both streams.
      expect((await say(url, MARKER)).status).toBe(201);
      await bob.nextStanza(messageWithBody(`message ${MARKER}`), 15_000);
      const bodies = bob.received.filter(isMessageWithBody).map((m) => m.getChildText("body"));
      expect(bodies.sort()).toEqual(["message 1", "message 1000000", "message 2", "message 3"]);
    });
  });
}
