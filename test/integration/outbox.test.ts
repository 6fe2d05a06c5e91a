// Nothing is lost when the server goes away: stanzas accepted while the link is down are kept in
// sqlite and arrive, in order and exactly once, after the server returns — even when the gateway
// itself was killed in between. Against each real server (Prosody, ejabberd), one body.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { testServers } from "../helpers/servers.ts";
import { connectClient, isMessageWithBody, messageWithBody, type TestClient } from "../../testbed/xmpp-client.ts";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { waitFor } from "../../testbed/timeouts.ts";
import { spawnGateway, type GatewayProcess } from "../helpers/gateway-process.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROUTES = `
routes:
  - path: /say
    body: { n: integer }
    send: <message to="bob@localhost" type="chat"><body>message {{ body.n }}</body></message>
`;
const COUNT = 20;

let prosody: XmppServer | undefined;
let bob: TestClient | undefined;
let gw: TestGateway | undefined;
let proc: GatewayProcess | undefined;

// The server is each describe block's (beforeAll/afterAll); every test leaves it running.
afterEach(async () => {
  await bob?.stop();
  await gw?.stop();
  if (proc?.proc.exitCode === null) await proc.kill("SIGKILL");
  [bob, gw, proc] = [undefined, undefined, undefined];
});

const say = (url: string, n: number) =>
  fetch(`${url}/say`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ n }) });

const MARKER = 1_000_000;

/**
 * Bob reads `count` messages, then makes sure no further copy arrives: a marker sent once the
 * outbox is empty comes after anything the gateway would still resend.
 */
async function bobReceives(client: TestClient, count: number, url: string): Promise<string[]> {
  const messages = await client.collect(isMessageWithBody, count, 15_000);
  await waitForHealth(url, (body) => (body.outbox as { queued?: number } | undefined)?.queued === 0);
  expect((await say(url, MARKER)).status).toBe(201);
  await client.nextStanza(messageWithBody(`message ${MARKER}`), 15_000);
  const extra = client.received.filter(isMessageWithBody).length - count - 1;
  expect(extra).toBe(0);
  return messages.map((m) => m.getChildText("body") ?? "");
}

async function waitForHealth(url: string, ok: (body: Record<string, unknown>) => boolean): Promise<void> {
  const health = async () => ok((await (await fetch(`${url}/health`)).json()) as Record<string, unknown>);
  await waitFor(health, 15_000, "the outbox to empty", undefined, 50);
}

/** stanzagate_http_requests_in_flight, as /metrics reports it (the scrape counts itself, every time). */
async function requestsInFlight(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^stanzagate_http_requests_in_flight (\S+)$/m.exec(text)?.[1] ?? NaN);
}

const expected = Array.from({ length: COUNT }, (_, i) => `message ${i + 1}`);

/**
 * Bob logs in once the outbox has drained, and gets the messages from the server's offline storage:
 * logging in while the gateway drains races the drain (ejabberd 23.01 lost the first message sent
 * while bob's session was coming up).
 */
async function bobLogsInAfterDrain(url: string): Promise<TestClient> {
  await waitForHealth(url, (body) => (body.outbox as { queued?: number } | undefined)?.queued === 0);
  return connectClient(prosody as XmppServer, "bob");
}

/** A server start and a restart in one test: ejabberd alone may take up to 45 s to start on a busy machine. */
const SERVER_TEST_MS = 150_000;
/** mod_offline on Prosody (ejabberd's test bed has it): what arrives while bob is away is kept. */
const OFFLINE = { prosody: { extraModules: ["offline"] } };

for (const server of testServers())
  describe(`the outbox, ${server.name}`, () => {
    // One server for the file's tests (an ejabberd start takes seconds): each test starts its own
    // gateway on its own store, and leaves the server running and bob's offline storage read.
    beforeAll(async () => {
      prosody = await server.start(OFFLINE);
    }, SERVER_TEST_MS);
    afterAll(async () => {
      await prosody?.stop();
      prosody = undefined;
    });
    test(
      "queues while the server is down (202) and delivers everything in order once it is back",
      async () => {
        if (!prosody) throw new Error("the server did not start");
        gw = await startGateway(prosody, { routes: ROUTES, store: join(mkdtempSync(join(tmpdir(), "sg-ob-")), "s.db") });
        await prosody.stopProcess();
        await waitFor(() => gw!.gateway.link.status !== "online", 15_000, "the link to drop");

        for (let n = 1; n <= COUNT; n++) {
          const res = await say(gw.url, n);
          expect(res.status).toBe(202);
          expect(await res.json()).toMatchObject({ status: "queued" });
        }
        const health = await fetch(`${gw.url}/health`);
        expect(health.status).toBe(503);
        expect(await health.json()).toMatchObject({ status: "degraded", outbox: { queued: COUNT } });

        await prosody.startProcess();
        bob = await bobLogsInAfterDrain(gw.url);
        expect(await bobReceives(bob, COUNT, gw.url)).toEqual(expected);
        expect(gw.gateway.delivery.queued).toBe(0);
      },
      SERVER_TEST_MS,
    );

    test(
      "survives SIGKILL of the gateway while stanzas are queued",
      async () => {
        if (!prosody) throw new Error("the server did not start");
        const dir = mkdtempSync(join(tmpdir(), "sg-kill-"));
        proc = await spawnGateway(prosody, ROUTES, dir);
        await prosody.stopProcess();
        for (let n = 1; n <= COUNT; n++) expect((await say(proc.url, n)).status).toBe(202);

        expect(await proc.kill("SIGKILL")).not.toBe(0);
        proc = await spawnGateway(prosody, ROUTES, dir);
        expect((await proc.health()).body).toMatchObject({ outbox: { queued: COUNT } });

        await prosody.startProcess();
        bob = await bobLogsInAfterDrain(proc.url);
        expect(await bobReceives(bob, COUNT, proc.url)).toEqual(expected);
      },
      SERVER_TEST_MS,
    );

    test(
      "SIGTERM finishes the request in flight, delivers it, and exits 0",
      async () => {
        if (!prosody) throw new Error("the server did not start");
        proc = await spawnGateway(prosody, ROUTES);
        bob = await connectClient(prosody, "bob");
        // A request whose body is still arriving when the signal comes.
        const body = new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode('{"n":'));
            await Bun.sleep(400);
            controller.enqueue(new TextEncoder().encode("42}"));
            controller.close();
          },
        });
        const busy = await requestsInFlight(proc.url);
        const inFlight = fetch(`${proc.url}/say`, { method: "POST", headers: { "content-type": "application/json" }, body });
        // The gateway is handling it (its in-flight gauge rose) before the signal, not a fixed wait.
        await waitFor(async () => (await requestsInFlight(proc!.url)) > busy, 10_000, "the request to be in flight");
        proc.proc.kill("SIGTERM");
        expect((await inFlight).status).toBe(201);
        expect((await bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("message 42");
        expect(await proc.proc.exited).toBe(0);
        expect(proc.stderr()).toContain('"msg":"shutting down"');
      },
      SERVER_TEST_MS,
    );
  });
