// Gotify's message API end to end, on each real server: a message posted as Uptime Kuma posts it
// reaches a real client, DELETE withdraws it there (XEP-0424), and the real apprise CLI
// (gotify://, X-Gotify-Key, which fails on any status but 200) exits 0 with its message delivered.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testServers } from "../../../helpers/servers.ts";
import { isMessageWithBody } from "../../../../testbed/xmpp-client.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { GOTIFY_ROUTES as ROUTES, GOTIFY_TOKEN as TOKEN } from "../../../helpers/gotify-routes.ts";

const RETRACT = "urn:xmpp:message-retract:1";

// apprise reads its configuration from $HOME: its own, empty, so nothing of the machine's is used.
const home = mkdtempSync(join(tmpdir(), "sg-apprise-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function apprise(...args: string[]): Promise<{ code: number; output: string }> {
  const proc = Bun.spawn(["apprise", "-vv", ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, XDG_CONFIG_HOME: join(home, ".config") },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, output: out + err };
}

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { gateway: { routes: ROUTES }, clients: ["bob"] });
    const port = () => new URL(bed.gw.url).port;
    const bob = () => bed.bob;

    test("a message posted as Uptime Kuma posts it (?token=) reaches bob; the answer is Gotify's, 200", async () => {
      const res = await bed.gw.post(`/message?token=${TOKEN}`, {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: "[nas01] [🔴 Down] connect ECONNREFUSED", priority: 8, title: "Uptime-Kuma" }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ appid: 1, title: "Uptime-Kuma", priority: 8 });
      const msg = await bob().nextStanza(isMessageWithBody);
      expect(msg.getChildText("body")).toBe("❗ *Uptime-Kuma*\n[nas01] [🔴 Down] connect ECONNREFUSED");
    });

    test("DELETE /message/<id> withdraws the message bob got (XEP-0424)", async () => {
      const res = await bed.gw.post("/message", {
        headers: { "content-type": "application/json", "x-gotify-key": TOKEN },
        body: JSON.stringify({ message: "sent by mistake" }),
      });
      const { id } = (await res.json()) as { id: number };
      const original = await bob().nextStanza(isMessageWithBody);
      const originId = original.getChild("origin-id", "urn:xmpp:sid:0")?.attrs.id;
      expect(originId).toBeString();
      const deleted = await fetch(`${bed.gw.url}/message/${id}`, { method: "DELETE", headers: { authorization: `Bearer ${TOKEN}` } });
      expect(deleted.status).toBe(200);
      const retraction = await bob().nextStanza(isMessageWithBody);
      expect(retraction.getChild("retract", RETRACT)?.attrs.id).toBe(originId);
      const again = await fetch(`${bed.gw.url}/message/${id}?token=${TOKEN}`, { method: "DELETE" });
      expect(again.status).toBe(404);
    });

    test("apprise gotify:// exits 0 and bob receives its title and body", async () => {
      const { code, output } = await apprise("-t", "nas01", "-b", "Disk is 91% full", `gotify://127.0.0.1:${port()}/${TOKEN}`);
      expect({ code, output }).toMatchObject({ code: 0 });
      const msg = await bob().nextStanza(isMessageWithBody);
      expect(msg.getChildText("body")).toBe("*nas01*\nDisk is 91% full");
    });

    test("apprise gotify:// with a path and Markdown: the route at /gotify/ gets it, links made plain", async () => {
      const url = `gotify://127.0.0.1:${port()}/gotify/${TOKEN}?format=markdown&priority=emergency`;
      const { code, output } = await apprise("-t", "Backup", "-b", "Done, see [the log](https://nas01.example/log)", url);
      expect({ code, output }).toMatchObject({ code: 0 });
      const msg = await bob().nextStanza(isMessageWithBody);
      expect(msg.getChildText("body")).toBe("‼️ *Backup*\nDone, see the log (https://nas01.example/log)");
    });

    test("apprise with a wrong token exits 1: the gateway answered Gotify's 401", async () => {
      const { code, output } = await apprise("-b", "never delivered", `gotify://127.0.0.1:${port()}/Awrongtoken1234`);
      expect(code).toBe(1);
      expect(output).toContain("401");
    });
  });
