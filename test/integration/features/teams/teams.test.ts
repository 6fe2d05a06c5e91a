// preset: teams end to end, on each real server: every recorded card (Grafana's Teams contact
// point, Uptime Kuma's two generations of its provider, Alertmanager's MessageCard) posted to the
// webhook path reaches bob as its golden message, answered as its sender expects; and Grafana's
// webhook contact point, signed with format: grafana, reaches him through the grafana preset.
import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { testServers } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { isMessageWithBody } from "../../../../testbed/xmpp-client.ts";
import { formatFixtures, goldenBodies } from "../../../helpers/format-goldens.ts";

const PATH = "/teams/x7f3kq9Lw2mZp4Qa";
const SECRET = "grafana-contact-point-secret";
const ROUTES = `
auth:
  grafana: { kind: hmac, format: grafana, secret: ${SECRET}, timestamp_header: X-Grafana-Timestamp }
routes:
  - { preset: teams, path: ${PATH}, to: bob@localhost }
  - { preset: grafana, auth: grafana, to: bob@localhost }
`;

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { gateway: { routes: ROUTES }, clients: ["bob"] });

    for (const fixture of formatFixtures("teams"))
      test(`${fixture.name}: bob receives the golden message`, async () => {
        const res = await bed.gw.post(PATH, { headers: { "content-type": "application/json" }, body: await fixture.text() });
        const legacy = fixture.name.includes("messagecard");
        expect([res.status, await res.text()]).toEqual(legacy ? [200, "1"] : [202, ""]);
        expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe(
          (await goldenBodies("teams", fixture.name))[0] as string,
        );
      });

    test("Grafana's webhook contact point, signed over <timestamp>:<body>, reaches bob through the grafana preset", async () => {
      const [fixture] = formatFixtures("grafana-webhook");
      const body = await fixture!.text();
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = createHmac("sha256", SECRET).update(`${timestamp}:${body}`).digest("hex");
      const res = await bed.gw.post("/grafana", {
        headers: { "content-type": "application/json", "x-grafana-timestamp": timestamp, "x-grafana-alerting-signature": signature },
        body,
      });
      expect(res.status).toBe(201);
      expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe(
        (await goldenBodies("grafana-webhook", fixture!.name))[0] as string,
      );
    });
  });
