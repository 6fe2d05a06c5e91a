// Apprise: each recorded notification, posted where Apprise posts it, answers as Apprise checks it
// and gives the message in test/golden/formats/apprise. The payloads (test/fixtures/formats/apprise)
// were recorded from Debian's apprise 1.2.0 CLI:
// - json-warning-attachment: `apprise -t nas01 -b "Disk is 91% full" -n warning --attach df.txt json://HOST/apprise`;
// - json-uptime-kuma-down: Uptime Kuma's Apprise provider (server/notification-providers/apprise.js
//   runs `apprise -vv -b <msg> <url>`), with a json:// URL;
// - api-failure-markdown: `apprise -t nas01 -b "…" -n failure "apprise://HOST/apprise/ops-key?tags=devops,nas"`,
//   which posts to /apprise/notify/ops-key.
import { describe, test } from "bun:test";
import { expectFixtureGolden, formatFixtures } from "../../../helpers/format-goldens.ts";

describe("each recorded Apprise notification gives its golden answer and message", () => {
  for (const fixture of formatFixtures("apprise"))
    test(fixture.name, () =>
      expectFixtureGolden(
        fixture,
        // public_url turns attachments on: the file `apprise --attach` sends is stored and sent after the text.
        "http:\n  public_url: https://gw.example.org\nroutes:\n  - { preset: apprise, path: /apprise, to: bob@localhost }\n",
        fixture.name.startsWith("api-") ? "/apprise/notify/ops-key" : "/apprise",
      ),
    );
});
