// component_http and the users' presences a server forwards under XEP-0356 presence permission
// managed_entity (the test bed grants it): they come to the component's domain from each user's
// full JID, are meant for no bot, and must neither bounce as errors nor reach a webhook.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { testServers } from "../../helpers/servers.ts";
import { connectClient, isPresenceFrom, messageWithBody, type TestClient } from "../../../testbed/xmpp-client.ts";
import { logTail, startGateway, type TestGateway } from "../../helpers/gateway.ts";
import { waitFor } from "../../../testbed/timeouts.ts";
import { useTestBed } from "../../helpers/bed.ts";
import { json, startWebhook, type TestWebhook } from "./component_http-webhook.ts";

for (const server of testServers())
  describe(server.name, () => {
    // Each describe below starts its own gateway on this server.
    const bed = useTestBed(server, { clients: ["bob"] });

    interface CatchAll {
      gw: TestGateway;
      hook: TestWebhook;
      /** The presences the gateway's component stream delivered. */
      arrived: Element[];
    }

    /**
     * For the describe it is called in: a gateway with one catch-all component_http route forwarding
     * `stanzas`, and its webhook, started before the tests and stopped after them.
     */
    function useCatchAll(stanzas: string): () => CatchAll {
      let hook: TestWebhook | undefined;
      let setup: CatchAll | undefined;
      beforeAll(async () => {
        hook = startWebhook();
        hook.answer = (req) =>
          req.json.kind === "message" ? json({ body: `re: ${String(req.json.body)}` }) : new Response(null, { status: 204 });
        const gw = await startGateway(bed.server, {
          routes: `routes:\n  - plugin: component_http\n    options: { post_url: "${hook.url}", stanzas: ${stanzas} }\n`,
          waitForPrivileges: true,
        });
        const arrived: Element[] = [];
        gw.gateway.link.onStanza((el) => void (el.name === "presence" && arrived.push(el)));
        setup = { gw, hook, arrived };
      });
      afterAll(async () => {
        await setup?.gw.stop();
        await hook?.stop();
      });
      return () => {
        if (setup === undefined) throw new Error("the catch-all gateway is not running: it starts in beforeAll");
        return setup;
      };
    }

    const echo = () => `echo@${bed.server.componentDomain}`;
    const forwarded = (arrived: Element[], user: string, type: string | undefined) => () =>
      arrived.some((p) => p.attrs.to === bed.server.componentDomain && p.attrs.from?.startsWith(`${user}@`) && p.attrs.type === type);

    /** A round trip through the webhook: whatever the component did with earlier stanzas has happened. */
    async function barrier(client: TestClient, text: string): Promise<void> {
      await client.send(xml("message", { to: echo(), type: "chat" }, xml("body", {}, text)));
      await client.nextStanza(messageWithBody(`re: ${text}`));
    }

    /** alice logs in, the component sees her forwarded presence, and a barrier message makes its answers arrive. */
    async function aliceLogsIn({ arrived, gw }: CatchAll): Promise<TestClient> {
      const alice = await connectClient(bed.server, "alice");
      await waitFor(forwarded(arrived, "alice", undefined), 15_000, "alice's forwarded presence", logTail(gw.logs));
      await barrier(alice, "after login");
      return alice;
    }

    describe("a catch-all route with the default stanzas (message; presence answered by the gateway)", () => {
      const catchAll = useCatchAll("[message]");

      test("alice logs in: her forwarded presence gets no error presence back, and the webhook sees only her message", async () => {
        const alice = await aliceLogsIn(catchAll());
        try {
          expect(alice.received.filter(isPresenceFrom(bed.server.componentDomain))).toEqual([]);
          expect(catchAll().hook.received.map((r) => r.json.kind)).toEqual(["message"]);
        } finally {
          await alice.stop();
        }
      });

      test("a probe to the domain is still answered as Prosody's router would: cancel/service-unavailable", async () => {
        await bed.bob.send(xml("presence", { to: bed.server.componentDomain, type: "probe", id: "pr1" }));
        const reply = await bed.bob.nextStanza((s) => s.name === "presence" && s.attrs.id === "pr1");
        expect(reply.attrs.type).toBe("error");
      });
    });

    describe("a catch-all route that forwards presence", () => {
      const catchAll = useCatchAll("[message, presence]");

      test("alice logs in and out: the webhook is called for neither presence", async () => {
        const alice = await aliceLogsIn(catchAll());
        await alice.stop();
        await waitFor(
          forwarded(catchAll().arrived, "alice", "unavailable"),
          15_000,
          "alice's forwarded unavailable presence",
          logTail(catchAll().gw.logs),
        );
        await barrier(bed.bob, "after logout");
        expect(catchAll().hook.received.map((r) => r.json.kind)).toEqual(["message", "message"]);
      });

      test("other presence to the domain is still POSTed: a probe from bob", async () => {
        await bed.bob.send(xml("presence", { to: bed.server.componentDomain, type: "probe", id: "pr2" }));
        const req = await catchAll().hook.next((r) => r.json.kind === "presence");
        expect(req.json).toMatchObject({ to: bed.server.componentDomain, from: bed.bob.jid, kind: "presence" });
        expect(String(req.json.stanza)).toContain('type="probe"');
      });
    });
  });
