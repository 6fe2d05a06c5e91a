// The other formats' files end to end (issue 21 §1, §7), on each real server with the real store:
// Debian's apprise CLI with --attach to json://, a Grafana-shaped Discord multipart with a PNG (its
// image in a part named "", grafana/alerting receivers/discord/v1), a bot command whose camera
// answers a JPEG: bob receives the text, then a message whose body is the URL and whose XEP-0066
// element carries it; he fetches the URL and the SHA-256 is what was sent. Slack's image_url and
// Gotify's bigImageUrl reach him as OOB links, not fetched.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Element } from "ltx";
import { testServers } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { isMessageWithBody } from "../../../../testbed/predicates.ts";
import { freePort } from "../../../../testbed/ports.ts";
import { PNG_1X1, sha256 } from "../../../helpers/file-store.ts";
import { discordFixture, multipart } from "../../../helpers/discord-fixtures.ts";
import { say } from "../../../helpers/bot-chat.ts";
import { appriseCli } from "../../../helpers/apprise-cli.ts";

const HOOK = "/api/webhooks/1189/Zx9fK2mQ7rT4vW8yB3nD";
const GOTIFY_TOKEN = "AGhVjJ3kKc0d.zm";
/** A JPEG's markers around a few bytes: what the camera answers. */
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 2, 3, 0xff, 0xd9]);

const routes = (camera: string) => `
auth:
  apps: { kind: bearer, tokens: [{ name: doorbell, token: "${GOTIFY_TOKEN}" }] }
routes:
  - { preset: apprise, path: /apprise, to: bob@localhost }
  - { preset: discord, path: ${HOOK}, to: bob@localhost }
  - { preset: slack, path: /slack/T0/B0/Qw8eR4tY6uI2oP0aS5dF, to: bob@localhost }
  - { preset: gotify, path: /gotify/, auth: apps, to: bob@localhost }
bots:
  - jid: house@gateway.localhost
    allow: ["bob@localhost"]
    commands:
      - match: '^snapshot (?<cam>\\w+)$'
        http: { url: "${camera}/{{ match.cam }}/now.jpg", timeout_ms: 5000 }
        attach: true
        reply: "{{ match.cam }}:"
`;

const oobUrl = (s: Element) => s.getChild("x", "jabber:x:oob")?.getChildText("url");

/** What a client does with an OOB message: fetch its URL from the gateway, over a real socket. */
async function download(url: string): Promise<{ type: string | null; sha256: string }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return { type: response.headers.get("content-type"), sha256: sha256(new Uint8Array(await response.arrayBuffer())) };
}

for (const server of testServers())
  describe(server.name, () => {
    let camera: ReturnType<typeof Bun.serve>;
    beforeAll(() => {
      camera = Bun.serve({
        hostname: "127.0.0.1",
        port: 0,
        fetch: () => new Response(JPEG, { headers: { "content-type": "image/jpeg" } }),
      });
    });
    const bed = useTestBed(server, {
      gateway: async (xmpp) => {
        const port = await freePort();
        return {
          routes: routes(`http://127.0.0.1:${camera.port}`).replaceAll("gateway.localhost", xmpp.componentDomain),
          http: [`listen: 127.0.0.1:${port}`, `public_url: http://127.0.0.1:${port}`],
        };
      },
      clients: ["bob"],
    });
    afterAll(() => camera?.stop(true));
    const next = () => bed.bob.nextStanza(isMessageWithBody);

    test("apprise --attach to json://: exit 0; bob gets the text, then the file, and fetches the very bytes", async () => {
      const dir = mkdtempSync(join(tmpdir(), "apprise-attach-"));
      try {
        writeFileSync(join(dir, "panel.png"), PNG_1X1);
        const run = await appriseCli([
          "-b",
          "Panel attached",
          "--attach",
          join(dir, "panel.png"),
          `json://${new URL(bed.gw.url).host}/apprise`,
        ]);
        expect(run).toMatchObject({ code: 0 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect((await next()).getChildText("body")).toBe("Panel attached");
      const file = await next();
      expect(file.getChildText("body")).toBe(oobUrl(file) as string);
      expect(file.getChild("x", "jabber:x:oob")?.getChildText("desc")).toBe("panel.png");
      expect(await download(oobUrl(file) as string)).toEqual({ type: "image/png", sha256: sha256(PNG_1X1) });
    });

    test('Grafana\'s Discord multipart: payload_json, then the panel PNG in a part named "": the alert, then the image', async () => {
      // The recorded payload, with a real PNG where Grafana puts the rendered panel.
      const init = multipart(discordFixture("grafana-image").payload, ["Ab3dE5fG7hI9.png"], "", PNG_1X1);
      expect((await bed.gw.post(HOOK, init)).status).toBe(204);
      expect((await next()).getChildText("body")).toStartWith("🔴 *[FIRING:1] DiskFull (nas01)*");
      const image = await next();
      expect(image.getChild("x", "jabber:x:oob")?.getChildText("desc")).toBe("Ab3dE5fG7hI9.png");
      expect(await download(oobUrl(image) as string)).toEqual({ type: "image/png", sha256: sha256(PNG_1X1) });
    });

    test("snapshot door: the bot replies, then attaches the camera's JPEG, which bob fetches byte for byte", async () => {
      const house = `house@${bed.server.componentDomain}`;
      const asked = await say(bed.bob, house, "snapshot door");
      expect((await asked.reply()).getChildText("body")).toBe("door:");
      const file = await asked.reply();
      expect(file.getChildText("body")).toBe(oobUrl(file) as string);
      expect(await download(oobUrl(file) as string)).toEqual({ type: "image/jpeg", sha256: sha256(JPEG) });
    });

    test("Slack's image_url and Gotify's bigImageUrl: the text, then the picture as an OOB link to where it is", async () => {
      const slack = { text: "Motion at the door", attachments: [{ image_url: "https://cam.example.org/door.jpg" }] };
      const posted = await bed.gw.post("/slack/T0/B0/Qw8eR4tY6uI2oP0aS5dF", {
        headers: { "content-type": "application/json" },
        body: JSON.stringify(slack),
      });
      expect([posted.status, await posted.text()]).toEqual([200, "ok"]);
      expect((await next()).getChildText("body")).toBe("Motion at the door");
      const link = await next();
      expect([link.getChildText("body"), oobUrl(link)]).toEqual(["https://cam.example.org/door.jpg", "https://cam.example.org/door.jpg"]);

      const extras = { "client::notification": { bigImageUrl: "https://cam.example.org/yard.jpg" } };
      const gotify = await bed.gw.post(`/gotify/message?token=${GOTIFY_TOKEN}`, {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ title: "Yard", message: "Motion in the yard", extras }),
      });
      expect(gotify.status).toBe(200);
      expect((await next()).getChildText("body")).toBe("*Yard*\nMotion in the yard");
      expect(oobUrl(await next())).toBe("https://cam.example.org/yard.jpg");
    });
  });
