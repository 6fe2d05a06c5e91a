// `preset: discord` on each real server: every recorded payload (Grafana's Discord contact point,
// Uptime Kuma's discord provider, Alertmanager's discord_configs) reaches bob as its golden
// message; an edit is a correction and a deletion a retraction of what bob saw; bad input sends
// nothing; and a real Alertmanager 0.25, pointed at the gateway with discord_configs, delivers
// its firing and resolved alerts without counting a single failure.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { testServers } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { isMessageWithBody } from "../../../../testbed/xmpp-client.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";
import { startAlertmanager, type TestAlertmanager } from "../../../../testbed/alertmanager.ts";
import { discordFixtures, multipart } from "../../../helpers/discord-fixtures.ts";
import { goldenBodies } from "../../../helpers/format-goldens.ts";

const HOOK = "/api/webhooks/1189/Zx9fK2mQ7rT4vW8yB3nD";
const ROUTES = `
routes:
  - { preset: discord, path: ${HOOK}, to: bob@localhost }
  - path: /barrier
    send: <message to="bob@localhost" type="chat"><body>barrier</body></message>
`;
const NS_CORRECT = "urn:xmpp:message-correct:0";
const NS_RETRACT = "urn:xmpp:message-retract:1";
/** Alertmanager's first notification and the resolved one a group_interval later, on a busy machine. */
const ALERT_TIMEOUT_MS = 30_000;

const json = (body: unknown, method = "POST"): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { gateway: { routes: ROUTES }, clients: ["bob"] });
    const next = (): Promise<Element> => bed.bob.nextStanza(isMessageWithBody);
    /** Nothing else reached bob: the barrier is the next message he gets. */
    async function nothingSent(): Promise<void> {
      expect((await bed.gw.post("/barrier", {})).status).toBe(201);
      expect((await next()).getChildText("body")).toBe("barrier");
    }

    // Grafana's panel image needs attachments on: files/inputs.test.ts posts it with them.
    for (const f of discordFixtures().filter((f) => !f.payload.includes("attachment://")))
      test(`${f.name}: bob receives the golden message`, async () => {
        const [golden] = await goldenBodies("discord", f.name);
        expect((await bed.gw.post(HOOK, f.init())).status).toBe(204);
        expect((await next()).getChildText("body")).toBe(golden as string);
      });

    test("Uptime Kuma's order: GET the webhook (its avatar), then POST; bob gets the message", async () => {
      const hook = await bed.gw.post(HOOK, { method: "GET" });
      expect(await hook.json()).toMatchObject({ type: 1, avatar: null, token: "Zx9fK2mQ7rT4vW8yB3nD" });
      expect((await bed.gw.post(HOOK, json({ username: "Uptime Kuma", content: "🔴 nas01 is down." }))).status).toBe(204);
      expect((await next()).getChildText("body")).toBe("🔴 nas01 is down.");
    });

    test("an edit corrects bob's message in place (XEP-0308); a deletion retracts it (XEP-0424)", async () => {
      const res = await bed.gw.post(`${HOOK}?wait=true`, json({ content: "backup 10%" }));
      expect(res.status).toBe(200);
      const { id } = (await res.json()) as { id: string };
      const first = await next();
      const edited = await bed.gw.post(`${HOOK}/messages/${id}`, json({ content: "backup done" }, "PATCH"));
      expect([edited.status, ((await edited.json()) as { content: string }).content]).toEqual([200, "backup done"]);
      const correction = await next();
      expect(correction.getChildText("body")).toBe("backup done");
      expect(correction.getChild("replace", NS_CORRECT)?.attrs.id).toBe(first.attrs.id);
      expect((await bed.gw.post(`${HOOK}/messages/${id}`, { method: "DELETE" })).status).toBe(204);
      expect((await next()).getChild("retract", NS_RETRACT)?.attrs.id).toBe(first.attrs.id);
    });

    test("a payload_json that does not parse is 400 50035 and nothing is sent", async () => {
      const res = await bed.gw.post(HOOK, multipart('{"content":', ["graph.png"]));
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 50035, message: "Invalid Form Body", errors: { payload_json: {} } });
      await nothingSent();
    });

    describe("a real Alertmanager 0.25 with discord_configs", () => {
      let am: TestAlertmanager;
      beforeAll(async () => {
        am = await startAlertmanager(["- name: gw", "  discord_configs:", `    - webhook_url: ${bed.gw.url}${HOOK}`].join("\n"));
      });
      afterAll(() => am?.stop());

      test("its firing and resolved alerts reach bob, and it counts no failed notification", async () => {
        const labels = { alertname: "DiskFull", instance: "nas01", severity: "critical" };
        await am.postAlert({ labels, annotations: { summary: "Disk 91% full" } });
        const firing = (await bed.bob.nextStanza(isMessageWithBody, ALERT_TIMEOUT_MS)).getChildText("body") ?? "";
        expect(firing).toStartWith("🔴 *[FIRING:1] DiskFull (nas01 critical)*\nAlerts Firing:");
        expect(firing).toContain(" - summary = Disk 91% full");
        await am.postAlert({ labels, annotations: { summary: "Disk 91% full" }, endsAt: new Date(Date.now() - 1_000).toISOString() });
        const resolved = (await bed.bob.nextStanza(isMessageWithBody, ALERT_TIMEOUT_MS)).getChildText("body") ?? "";
        expect(resolved).toStartWith("🟢 *[RESOLVED] DiskFull (nas01 critical)*");
        const discord = { integration: "discord" };
        await waitFor(
          async () => (await am.metric("alertmanager_notifications_total", discord)) >= 2,
          ALERT_TIMEOUT_MS,
          "two notifications counted",
        );
        expect(await am.metric("alertmanager_notifications_failed_total", discord)).toBe(0);
        expect(await am.metric("alertmanager_notification_requests_failed_total", discord)).toBe(0);
      });
    });
  });
