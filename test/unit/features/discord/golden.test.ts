// Discord: each recorded payload (test/fixtures/formats/discord), posted as its sender posts it,
// answers as Discord does and gives the message in test/golden/formats/discord:
// - alertmanager-*: captured from Debian's prometheus-alertmanager 0.25 (discord_configs);
// - grafana-*: Grafana's Discord contact point (grafana/alerting receivers/discord/v1), the image
//   variant as multipart with the image in an empty-named part;
// - kuma-*: Uptime Kuma's discord provider (server/notification-providers/discord.js).
import { afterAll, beforeAll, describe, test } from "bun:test";
import { fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";
import { discordFixtures } from "../../../helpers/discord-fixtures.ts";
import { expectGolden, transcript } from "../../../helpers/format-goldens.ts";

const HOOK = "/api/webhooks/1189/Zx9fK2mQ7rT4vW8yB3nD";

let gw: FakeGateway;
// public_url turns attachments on: Grafana's panel image is stored and sent after the text.
const ROUTES = `http:\n  public_url: https://gw.example.org\nroutes:\n  - { preset: discord, path: ${HOOK}, to: bob@localhost }\n`;
beforeAll(async () => void (gw = await fakeGateway(ROUTES)));
afterAll(() => gw.stop());

describe("each recorded Discord payload gives its golden answer and message", () => {
  for (const f of discordFixtures())
    test(f.name, async () => {
      const before = gw.stanzas().length;
      const response = await gw.request(HOOK, f.init());
      await expectGolden("discord", f.name, await transcript(response, gw.stanzas().slice(before)));
    });
});
