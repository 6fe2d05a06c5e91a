// The XMPP link tells the truth on /health and never gives up, on every server of the test bed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { testServers } from "../helpers/servers.ts";
import { configHead, loadTestConfig, logTail } from "../helpers/gateway.ts";
import { waitFor } from "../../testbed/timeouts.ts";
import { createGateway, type Gateway } from "../../src/app.ts";
import { createLogger } from "../../src/log.ts";

/** The XEP-0356 namespace each server advertises in. */
const PRIVILEGE_NS = { prosody: "urn:xmpp:privilege:2", ejabberd: "urn:xmpp:privilege:1" } as const;

for (const server of testServers())
  describe(server.name, () => {
    let prosody: XmppServer;
    const gateways: Gateway[] = [];

    beforeAll(async () => {
      prosody = await server.start();
    });

    afterAll(async () => {
      for (const g of gateways) await g.stop({ flushTimeoutMs: 100 });
      await prosody?.stop();
    });

    async function gatewayWith(yaml: string): Promise<{ gw: Gateway; url: string; logs: Array<Record<string, unknown>> }> {
      const logs: Array<Record<string, unknown>> = [];
      const gw = await createGateway(loadTestConfig(yaml + "routes: []\n"), {
        log: createLogger({ level: "debug", write: (l) => void logs.push(JSON.parse(l)) }),
      });
      gateways.push(gw);
      return { gw, url: `http://127.0.0.1:${gw.listen()}`, logs };
    }

    describe("the XMPP link", () => {
      test("with a wrong secret: /health is 503 with the reason, and it keeps retrying", async () => {
        const { gw, url, logs } = await gatewayWith(configHead(prosody).replace(prosody.componentSecret, "wrong-secret"));
        await waitFor(() => logs.filter((l) => l.msg === "XMPP link error").length >= 2, 15_000, "two failed attempts", logTail(logs));
        const res = await fetch(`${url}/health`);
        expect(res.status).toBe(503);
        const body = (await res.json()) as { xmpp: { state: string; last_error?: string } };
        expect(body.xmpp.state).not.toBe("online");
        expect(body.xmpp.last_error).toBeDefined();
        expect(gw.link.status).not.toBe("stopped");
      });

      test("comes back by itself after the server restarts, and reads its privileges (and their XEP-0356 version) again", async () => {
        const { gw, url, logs } = await gatewayWith(configHead(prosody));
        await waitFor(() => gw.link.privileges().roster === "both", 10_000, "the privilege advertisement");
        await prosody.restart();
        const onlines = () => logs.filter((l) => l.msg === "component online").length;
        await waitFor(() => onlines() === 2 && gw.link.privileges().roster === "both", 10_000, "the link to return", logTail(logs));
        expect(logs.some((l) => l.msg === "component offline")).toBe(true);
        const body = (await (await fetch(`${url}/health`)).json()) as Record<string, unknown>;
        expect(body).toMatchObject({
          status: "ok",
          xmpp: {
            state: "online",
            privileges: { roster: "both", message: "outgoing", presence: "managed_entity", namespace: PRIVILEGE_NS[server.name] },
          },
        });
        expect(logs.filter((l) => l.msg === "XEP-0356 privileges granted").at(-1)).toMatchObject({
          namespace: PRIVILEGE_NS[server.name],
          roster: "both",
        });
      });

      test("never logs the component secret", async () => {
        // Prosody takes one connection per component domain: the earlier tests' gateways go first.
        for (const earlier of gateways.splice(0)) await earlier.stop({ flushTimeoutMs: 1_000 });
        const { gw, logs } = await gatewayWith(configHead(prosody));
        // Everything up to the handshake has been logged.
        await waitFor(() => gw.link.status === "online", 10_000, "the link to come up", logTail(logs));
        expect(JSON.stringify(logs)).not.toContain(prosody.componentSecret);
      });
    });
  });
