// preset: slack and preset: mattermost end to end, on each real server: every recorded sender
// payload reaches bob as its golden message; a real Alertmanager 0.25 (slack_configs) notifies
// through the gateway and counts no failure; the real apprise CLI's mmost:// exits 0; curl -F
// reaches a mattermost route; and a refused payload sends nothing.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAlertmanager } from "../../../../testbed/alertmanager.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";
import { isMessageWithBody } from "../../../../testbed/xmpp-client.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { formatFixtures, goldenBodies } from "../../../helpers/format-goldens.ts";
import { testServers } from "../../../helpers/servers.ts";

const PATHS = { slack: "/slack/T0/B0/Qm9uZ2VyLXNlY3JldC0x", mattermost: "/hooks/b7rk3w9zq1xg5pd4ma8ycnhf2e" };
const ROUTES = `
routes:
  - { preset: slack, path: ${PATHS.slack}, to: bob@localhost }
  - { preset: mattermost, path: ${PATHS.mattermost}, to: bob@localhost }
  - path: /barrier
    send: <message to="bob@localhost" type="chat"><body>barrier</body></message>
`;
const DELIVERY_MS = 30_000;

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { gateway: { routes: ROUTES }, clients: ["bob"] });
    const nextBody = async () => (await bed.bob.nextStanza(isMessageWithBody)).getChildText("body");

    for (const format of ["slack", "mattermost"] as const)
      for (const f of formatFixtures(format))
        test(`${format}/${f.name}: 200 ok, and bob receives the golden message`, async () => {
          const res = await bed.gw.post(PATHS[format], { headers: { "content-type": "application/json" }, body: await f.text() });
          expect([res.status, await res.text()]).toEqual([200, "ok"]);
          expect([await nextBody()]).toEqual(await goldenBodies(format, f.name));
        });

    test("nothing to show (or only U+FFFD) is 400 no_text, a control character 400 invalid_xml_text, 10,000 blocks 400 invalid_blocks, and bob gets none", async () => {
      const post = (body: unknown) =>
        bed.gw.post(PATHS.slack, { headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const empty = await post({ username: "x", attachments: [{ color: "danger" }] });
      expect([empty.status, await empty.text()]).toEqual([400, "no_text"]);
      const blocks = await post({ text: "x", blocks: Array(10_000).fill({ type: "section", text: { type: "mrkdwn", text: "x" } }) });
      expect([blocks.status, await blocks.text()]).toEqual([400, "invalid_blocks"]);
      const replaced = await post({ text: "\ufffd\ufffd" });
      expect([replaced.status, await replaced.text()]).toEqual([400, "no_text"]);
      const control = await post({ text: "a\u0001b" });
      expect([control.status, await control.text()]).toEqual([400, "invalid_xml_text"]);
      expect((await bed.gw.post("/barrier", {})).status).toBe(201);
      expect(await nextBody()).toBe("barrier");
    });

    test("Alertmanager 0.25's slack_configs: the alert reaches bob and no notification or request fails", async () => {
      const am = await startAlertmanager(`
- name: gw
  slack_configs:
    - api_url: "${bed.gw.url}${PATHS.slack}"
      channel: "#ops"
`);
      try {
        await am.postAlert({
          labels: { alertname: "DiskFull", instance: "nas01", severity: "critical" },
          annotations: { summary: "Disk 91% full" },
        });
        const body = (await bed.bob.nextStanza(isMessageWithBody, DELIVERY_MS)).getChildText("body") ?? "";
        expect(body).toStartWith("🔴 *[FIRING:1] DiskFull");
        expect(body).toMatch(/\n\S+\/#\/alerts\?receiver=gw$/);
        // Logged after the attempt's counters are updated (notify.go RetryStage): they are final.
        await waitFor(() => am.log().includes('msg="Notify success"'), DELIVERY_MS, "Alertmanager to log its notification", am.log);
        expect(await am.metric("alertmanager_notification_requests_total", { integration: "slack" })).toBe(1);
        expect(await am.metric("alertmanager_notification_requests_failed_total", { integration: "slack" })).toBe(0);
        expect(await am.metric("alertmanager_notifications_failed_total", { integration: "slack" })).toBe(0);
      } finally {
        await am.stop();
      }
    });

    test("apprise's mmost:// (to the port given, not its default 8065) exits 0, and bob receives title and body", async () => {
      const home = mkdtempSync(join(tmpdir(), "sg-apprise-"));
      try {
        const port = new URL(bed.gw.url).port;
        const token = PATHS.mattermost.split("/").at(-1);
        const apprise = Bun.spawn(["apprise", "-vv", "-t", "nas01", "-b", "Disk is 91% full", `mmost://127.0.0.1:${port}/${token}`], {
          env: { ...process.env, HOME: home },
          stdout: "pipe",
          stderr: "pipe",
        });
        const code = await apprise.exited;
        expect({ code, err: code === 0 ? "" : await new Response(apprise.stderr).text() }).toEqual({ code: 0, err: "" });
        expect(await nextBody()).toBe("nas01\nDisk is 91% full");
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });

    test("curl -F text=… to a mattermost route (multipart/form-data, as Mattermost decodes it): 200 ok, bob receives it", async () => {
      const curl = Bun.spawn(["curl", "-sS", "-X", "POST", `${bed.gw.url}${PATHS.mattermost}`, "-F", "text=hi from **curl**"], {
        stdout: "pipe",
        stderr: "pipe",
      });
      const [out, code] = await Promise.all([new Response(curl.stdout).text(), curl.exited]);
      expect({ code, out }).toEqual({ code: 0, out: "ok" });
      expect(await nextBody()).toBe("hi from *curl*");
    });
  });
