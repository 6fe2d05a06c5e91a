// A bot's job against a real server: it checks a local endpoint every second and sends bob one
// alert; the gateway restarts on the same store file and does not send it again. Waits only on
// observable events: the endpoint's hit count and a ping/pong through the server as a marker.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { testServers } from "../../../helpers/servers.ts";
import { logTail, startGateway } from "../../../helpers/gateway.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";
import { sample } from "../../../helpers/offline-gateway.ts";
import { useTestBed } from "../../../helpers/bed.ts";

const routes = (pump: string, domain: string) => `
bots:
  - jid: house@${domain}
    allow: ["bob@localhost"]
    commands: [{ match: '^ping$', reply: pong }]
    jobs:
      - name: pump
        every: 1s
        http: { url: "${pump}/pump", timeout_ms: 2000 }
        on_change: http.json.state
        send: [{ to: bob@localhost, text: "pump is {{ http.json.state }}" }]
`;

for (const server of testServers())
  describe(server.name, () => {
    let hits = 0;
    const dir = mkdtempSync(join(tmpdir(), "bot-jobs-"));
    const pump = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => (hits++, Response.json({ state: "jammed" })) });
    const start = () =>
      startGateway(bed.server, {
        routes: routes(`http://127.0.0.1:${pump.port}`, bed.server.componentDomain),
        store: join(dir, "store.db"),
      });
    const fromHouse = (s: Element) => s.name === "message" && s.attrs.from?.startsWith(`house@${bed.server.componentDomain}`) === true;

    // No gateway from the bed: the test starts it twice on one store, each assigned to bed.gw.
    const bed = useTestBed(server, { clients: ["bob"] });

    afterAll(async () => {
      await pump.stop(true);
      rmSync(dir, { recursive: true, force: true });
    });

    test("the job sends bob one alert; after a restart on the same store it is not sent again", async () => {
      bed.gw = await start();
      const alert = await bed.bob.nextStanza(fromHouse, 15_000);
      expect(alert.getChildText("body")).toBe("pump is jammed");
      // The run is remembered once the server confirmed the alert (at least once, never lost): a
      // second hit means the first run, store write included, has finished.
      await waitFor(() => hits >= 2, 15_000, "a second run of the job", logTail(bed.gw.logs));
      await bed.gw.stop();

      hits = 0;
      bed.gw = await start();
      // Runs never overlap, so a second hit means the first run of this gateway has finished.
      await waitFor(() => hits >= 2, 15_000, "two runs of the job after the restart", logTail(bed.gw.logs));
      const text = await (await fetch(`${bed.gw.url}/metrics`)).text();
      const runs = (outcome: string) =>
        sample(text, `stanzagate_bot_job_runs_total{bot="house@${bed.server.componentDomain}",job="pump",outcome="${outcome}"}`);
      expect(runs("quiet")).toBeGreaterThanOrEqual(1);
      expect(runs("sent")).toBeUndefined();
      await bed.bob.send(xml("message", { to: `house@${bed.server.componentDomain}`, type: "chat" }, xml("body", {}, "ping")));
      const next = await bed.bob.nextStanza(fromHouse, 10_000);
      expect(next.getChildText("body")).toBe("pong");
    });
  });
