// component_http and the users' presences a server forwards under XEP-0356 presence permission
// managed_entity (the test bed grants it): they come to the component's domain from each user's
// full JID, are meant for no bot, and must neither bounce as errors nor reach a webhook.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { testServers } from "../../helpers/servers.ts";
import { connectClient, isPresenceFrom, messageWithBody, type TestClient } from "../../../testbed/xmpp-client.ts";
import { startGateway, waitFor, type TestGateway } from "../../helpers/gateway.ts";
import { useTestBed } from "../../helpers/bed.ts";
import { json, startWebhook, type TestWebhook } from "./component_http-webhook.ts";

for (const server of testServers()) describe(server.name, () => {
  // Each describe below starts its own gateway on this server.
  const bed = useTestBed(server, { clients: ["bob"] });

  /** A gateway with one catch-all component_http route, and the presences its component stream delivered. */
  async function catchAllGateway(stanzas: string): Promise<{ gw: TestGateway; hook: TestWebhook; arrived: Element[] }> {
    const hook = startWebhook();
    hook.answer = (req) => (req.json.kind === "message" ? json({ body: `re: ${String(req.json.body)}` }) : new Response(null, { status: 204 }));
    const gw = await startGateway(bed.server, {
      routes: `routes:\n  - plugin: component_http\n    options: { post_url: "${hook.url}", stanzas: ${stanzas} }\n`,
      waitForPrivileges: true,
    });
    const arrived: Element[] = [];
    gw.gateway.link.onStanza((el) => void (el.name === "presence" && arrived.push(el)));
    return { gw, hook, arrived };
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
  async function aliceLogsIn(arrived: Element[], logs: unknown[]): Promise<TestClient> {
    const alice = await connectClient(bed.server, "alice");
    await waitFor(forwarded(arrived, "alice", undefined), 15_000, "alice's forwarded presence", logs);
    await barrier(alice, "after login");
    return alice;
  }

  describe("a catch-all route with the default stanzas (message; presence answered by the gateway)", () => {
    let setup: Awaited<ReturnType<typeof catchAllGateway>>;
    beforeAll(async () => void (setup = await catchAllGateway("[message]")));
    afterAll(async () => {
      await setup?.gw.stop();
      await setup?.hook.stop();
    });

    test("alice logs in: her forwarded presence gets no error presence back, and the webhook sees only her message", async () => {
      const alice = await aliceLogsIn(setup.arrived, setup.gw.logs);
      try {
        expect(alice.received.filter(isPresenceFrom(bed.server.componentDomain))).toEqual([]);
        expect(setup.hook.received.map((r) => r.json.kind)).toEqual(["message"]);
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
    let setup: Awaited<ReturnType<typeof catchAllGateway>>;
    beforeAll(async () => void (setup = await catchAllGateway("[message, presence]")));
    afterAll(async () => {
      await setup?.gw.stop();
      await setup?.hook.stop();
    });

    test("alice logs in and out: the webhook is called for neither presence", async () => {
      const alice = await aliceLogsIn(setup.arrived, setup.gw.logs);
      await alice.stop();
      await waitFor(forwarded(setup.arrived, "alice", "unavailable"), 15_000, "alice's forwarded unavailable presence", setup.gw.logs);
      await barrier(bed.bob, "after logout");
      expect(setup.hook.received.map((r) => r.json.kind)).toEqual(["message", "message"]);
    });

    test("other presence to the domain is still POSTed: a probe from bob", async () => {
      await bed.bob.send(xml("presence", { to: bed.server.componentDomain, type: "probe", id: "pr2" }));
      const req = await setup.hook.next((r) => r.json.kind === "presence");
      expect(req.json).toMatchObject({ to: bed.server.componentDomain, from: bed.bob.jid, kind: "presence" });
      expect(String(req.json.stanza)).toContain('type="probe"');
    });
  });
});
