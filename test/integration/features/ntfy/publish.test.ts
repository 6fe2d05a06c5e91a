// preset: ntfy end to end, on each real server: Debian's apprise CLI (1.2.0) sends ntfy:// to the
// gateway and exits 0, each of ntfy's publish forms reaches a real client, every recorded sender's
// publish (test/fixtures/formats/ntfy) arrives as its golden message, and a sequence id corrects
// (XEP-0308) then withdraws (XEP-0424) the message the client already shows.
import { describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { testServers } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { isMessageWithBody } from "../../../../testbed/predicates.ts";
import { formatFixtures, goldenBodies } from "../../../helpers/format-goldens.ts";
import { ntfyRequest } from "../../../helpers/ntfy-fixtures.ts";
import { appriseCli } from "../../../helpers/apprise-cli.ts";

const PASSWORD = "nas-password";
const ROUTES = `
auth:
  ntfy: { kind: basic, users: { nas: "${Bun.password.hashSync(PASSWORD, { algorithm: "argon2id" })}" } }
routes:
  - preset: ntfy
    auth: ntfy
    to: alice@localhost
    topics: { backups: bob@localhost }
`;
const BASIC = { Authorization: `Basic ${Buffer.from(`nas:${PASSWORD}`).toString("base64")}` };

/** The apprise CLI against the gateway, the URL last. */
const apprise = (url: string, ...args: string[]) => appriseCli([...args, url]);

const body = (s: Element) => s.getChildText("body");

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { gateway: { routes: ROUTES }, clients: ["alice", "bob"] });
    const ntfyUrl = () => `ntfy://nas:${PASSWORD}@${new URL(bed.gw.url).host}`;

    test("apprise ntfy:// with priority and tags: exit 0, bob sees the title in bold, the marks and the click link", async () => {
      const sent = await apprise(
        `${ntfyUrl()}/backups?priority=high&tags=warning,nas&click=https://nas01/`,
        "-t",
        "nas01",
        "-b",
        "Disk is 91% full",
      );
      expect(sent).toMatchObject({ code: 0 });
      expect(sent.output).toContain("Sent ntfy notification");
      expect(body(await bed.bob.nextStanza(isMessageWithBody))).toBe("❗ ⚠️ *nas01*\nDisk is 91% full\nTags: nas\nhttps://nas01/");
    });

    test("apprise to two topics: the listed one to bob, any other to alice (to:)", async () => {
      expect((await apprise(`${ntfyUrl()}/backups/deploys`, "-b", "v2 shipped")).code).toBe(0);
      expect(body(await bed.bob.nextStanza(isMessageWithBody))).toBe("v2 shipped");
      expect(body(await bed.alice.nextStanza(isMessageWithBody))).toBe("v2 shipped");
    });

    test("apprise with a wrong password exits 1 and nothing is sent", async () => {
      const refused = await apprise(`ntfy://nas:wrong@${new URL(bed.gw.url).host}/backups`, "-b", "nope");
      expect(refused.code).toBe(1);
      expect(refused.output).toContain("unauthorized");
      await bed.gw.post("/backups", { headers: BASIC, body: "barrier" });
      expect(body(await bed.bob.nextStanza(isMessageWithBody))).toBe("barrier");
    });

    test("each publish form reaches bob: PUT with headers, JSON to the root, GET /publish with ?auth=", async () => {
      const put = await bed.gw.post("/backups", { method: "PUT", headers: { ...BASIC, Title: "put", Tags: "tada" }, body: "one" });
      expect(put.status).toBe(200);
      expect(body(await bed.bob.nextStanza(isMessageWithBody))).toBe("🎉 *put*\none");
      const json = await bed.gw.post("/", {
        headers: { ...BASIC, "Content-Type": "application/json" },
        body: '{"topic":"backups","message":"two"}',
      });
      expect(json.status).toBe(200);
      expect(body(await bed.bob.nextStanza(isMessageWithBody))).toBe("two");
      const auth = Buffer.from(BASIC.Authorization).toString("base64url");
      expect((await fetch(`${bed.gw.url}/backups/publish?message=three&auth=${auth}`)).status).toBe(200);
      expect(body(await bed.bob.nextStanza(isMessageWithBody))).toBe("three");
    });

    for (const fixture of formatFixtures("ntfy"))
      test(`${fixture.name}: the recipient sees the golden message`, async () => {
        const { path, topic, init } = ntfyRequest(await fixture.text(), BASIC);
        expect((await bed.gw.post(path, init)).status).toBe(200);
        const [expected] = await goldenBodies("ntfy", fixture.name);
        const client = topic === "backups" ? bed.bob : bed.alice;
        expect(body(await client.nextStanza(isMessageWithBody))).toBe(expected as string);
      });

    test("a sequence id: the update corrects the message bob sees, the DELETE withdraws it", async () => {
      const headers = { ...BASIC, "X-Sequence-ID": "backup-42" };
      expect((await bed.gw.post("/backups", { headers, body: "backup running" })).status).toBe(200);
      const first = await bed.bob.nextStanza(isMessageWithBody);
      expect((await bed.gw.post("/backups", { headers, body: "backup done" })).status).toBe(200);
      const update = await bed.bob.nextStanza(isMessageWithBody);
      expect([body(update), update.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id]).toEqual(["backup done", first.attrs.id]);
      expect((await bed.gw.post("/backups/backup-42", { method: "DELETE", headers: BASIC })).status).toBe(200);
      const withdrawal = await bed.bob.nextStanza(isMessageWithBody);
      expect(withdrawal.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id).toBe(first.attrs.id);
    });
  });
