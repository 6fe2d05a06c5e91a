// The alertmanager preset with its real sender, on each real server: Debian's Alertmanager 0.25,
// started by the test with its own config, notifies the gateway through webhook_configs (behind a
// bearer token, as docs/presets.md pairs it), the firing alert reaches bob, its resolution corrects
// that message in place (XEP-0308), and Alertmanager counts no failed request or notification.
import { describe, expect, test } from "bun:test";
import { startAlertmanager } from "../../../../testbed/alertmanager.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";
import { isMessageWithBody } from "../../../../testbed/xmpp-client.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { testServers } from "../../../helpers/servers.ts";

const TOKEN = "alertmanager-token-0123456789";
const ROUTES = `
auth:
  alerting: { kind: bearer, tokens: [{ name: alertmanager, token: ${TOKEN} }] }
routes:
  - { preset: alertmanager, auth: alerting, to: bob@localhost }
`;
const DELIVERY_MS = 30_000;
const CORRECT = "urn:xmpp:message-correct:0";

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { gateway: { routes: ROUTES }, clients: ["bob"] });

    test("Alertmanager 0.25's webhook_configs: firing reaches bob, resolved corrects it, and nothing fails", async () => {
      const am = await startAlertmanager(`
- name: gw
  webhook_configs:
    - url: "${bed.gw.url}/alertmanager"
      send_resolved: true
      http_config: { authorization: { type: Bearer, credentials: "${TOKEN}" } }
`);
      try {
        const alert = { labels: { alertname: "DiskFull", instance: "nas01" }, annotations: { summary: "Disk 91% full" } };
        await am.postAlert(alert);
        const firing = await bed.bob.nextStanza(isMessageWithBody, DELIVERY_MS);
        expect(firing.getChildText("body")).toStartWith("🔥 FIRING: DiskFull");
        expect(firing.getChild("replace", CORRECT)).toBeUndefined();
        // An alert whose end has passed is resolved; the next group interval (1 s) notifies it.
        await am.postAlert({ ...alert, endsAt: new Date(Date.now() - 1_000).toISOString() });
        const resolved = await bed.bob.nextStanza(isMessageWithBody, DELIVERY_MS);
        expect(resolved.getChildText("body")).toStartWith("✅ RESOLVED: DiskFull");
        expect(resolved.getChild("replace", CORRECT)?.attrs.id).toBe(firing.attrs.id);
        // Logged after the attempt's counters are updated (notify.go RetryStage): they are final.
        await waitFor(
          () => am.log().split('msg="Notify success"').length > 2,
          DELIVERY_MS,
          "Alertmanager to log both notifications",
          am.log,
        );
        expect(await am.metric("alertmanager_notification_requests_total", { integration: "webhook" })).toBe(2);
        expect(await am.metric("alertmanager_notification_requests_failed_total", { integration: "webhook" })).toBe(0);
        expect(await am.metric("alertmanager_notifications_failed_total", { integration: "webhook" })).toBe(0);
      } finally {
        await am.stop();
      }
    });
  });
