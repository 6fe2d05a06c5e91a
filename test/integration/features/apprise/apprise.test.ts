// preset: apprise end to end, on each real server: Debian's apprise CLI (1.2.0), run as a user
// runs it, notifies through json:// and apprise:// (the Apprise API) and exits 0, and bob receives
// the message; the recorded payloads reach him as their golden messages.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testServers } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { appriseCli } from "../../../helpers/apprise-cli.ts";
import { isMessageWithBody } from "../../../../testbed/xmpp-client.ts";
import { formatFixtures, goldenBodies } from "../../../helpers/format-goldens.ts";

const MAX_BODY = 4096;
const ROUTES = `
auth:
  ops: { kind: header, value: s3cret-0123456789 }
routes:
  - { preset: apprise, path: /apprise, to: bob@localhost }
  - { preset: apprise, path: /guarded, auth: ops, to: bob@localhost }
`;

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { gateway: { routes: ROUTES, http: [`max_body_bytes: ${MAX_BODY}`] }, clients: ["bob"] });
    const host = () => new URL(bed.gw.url).host;

    test("apprise json:// exits 0 and bob receives the title, the type's badge and the body", async () => {
      const run = await appriseCli(["-t", "nas01", "-b", "Disk is 91% full", "-n", "warning", `json://${host()}/apprise`]);
      expect(run).toMatchObject({ code: 0 });
      expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("⚠️ *nas01*\nDisk is 91% full");
    });

    test("apprise --attach without http.public_url exits 1 (a 400); bob gets nothing (with it: files/inputs.test.ts)", async () => {
      const dir = mkdtempSync(join(tmpdir(), "apprise-attach-"));
      const file = join(dir, "df.txt");
      writeFileSync(file, "Filesystem 91%\n");
      const run = await appriseCli(["-b", "see the attachment", "--attach", file, `json://${host()}/apprise`]);
      rmSync(dir, { recursive: true, force: true });
      expect(run.code).toBe(1);
      expect(run.output).toContain("error=400");
      // The refused one sent nothing: the next message bob receives is this one.
      expect(await appriseCli(["-b", "after the refusal", `json://${host()}/apprise`])).toMatchObject({ code: 0 });
      expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("after the refusal");
    });

    test("apprise apprise://HOST/apprise/KEY (POST /apprise/notify/KEY) exits 0 and bob receives it", async () => {
      const run = await appriseCli([
        "-t",
        "backup",
        "-b",
        "done in 4 min",
        "-n",
        "success",
        `apprise://${host()}/apprise/ops-key?tags=devops,nas`,
      ]);
      expect(run).toMatchObject({ code: 0 });
      expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("✅ *backup*\ndone in 4 min");
    });

    test("behind an auth scheme, apprise exits 1 without the header and 0 with it (+Authorization=…)", async () => {
      expect(await appriseCli(["-b", "no credentials", `apprise://${host()}/guarded/ops-key`])).toMatchObject({ code: 1 });
      expect(await appriseCli(["-b", "no credentials", `json://${host()}/guarded`])).toMatchObject({ code: 1 });
      const run = await appriseCli(["-b", "with credentials", `apprise://${host()}/guarded/ops-key?+Authorization=s3cret-0123456789`]);
      expect(run).toMatchObject({ code: 0 });
      // The refused ones sent nothing: the next message bob receives is the accepted one.
      expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("with credentials");
    });

    test("a body over http.max_body_bytes: apprise:// is told apprise-api's 431, over real HTTP with its Content-Length", async () => {
      const run = await appriseCli(["-vv", "-b", "x".repeat(MAX_BODY + 1), `apprise://${host()}/apprise/ops-key`]);
      expect(run.code).toBe(1);
      expect(run.output).toContain("error=431");
      expect(run.output).toContain(`Body larger than ${MAX_BODY} bytes`);
    });

    // The recorded --attach needs attachments on: files/inputs.test.ts runs the CLI with them.
    for (const fixture of formatFixtures("apprise").filter((f) => !f.name.endsWith("-attachment")))
      test(`the recorded ${fixture.name} reaches bob as its golden message`, async () => {
        const path = fixture.name.startsWith("api-") ? "/apprise/notify/ops-key" : "/apprise";
        const res = await bed.gw.post(path, { headers: { "content-type": "application/json" }, body: await fixture.text() });
        expect(res.status).toBe(fixture.name.startsWith("api-") ? 200 : 201);
        expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe(
          (await goldenBodies("apprise", fixture.name))[0] as string,
        );
      });
  });
