// Slack and Mattermost: each recorded sender payload, posted to its route, answers `ok` and gives
// the message in test/golden/formats/{slack,mattermost}. The payloads (test/fixtures/formats/slack
// and mattermost, each folder's README says where each comes from): Grafana's Slack contact point,
// Alertmanager 0.25's slack_configs, Uptime Kuma's slack (plain and rich) and mattermost providers,
// apprise's mmost://, a Block Kit message and Markdown links.
import { describe, test } from "bun:test";
import { expectFixtureGolden, formatFixtures } from "../../../helpers/format-goldens.ts";

const PATHS = { slack: "/slack/T0/B0/Qm9uZ2VyLXNlY3JldC0x", mattermost: "/hooks/b7rk3w9zq1xg5pd4ma8ycnhf2e" };

for (const format of ["slack", "mattermost"] as const)
  describe(`each recorded ${format} payload gives its golden answer and message`, () => {
    for (const fixture of formatFixtures(format))
      test(fixture.name, () =>
        expectFixtureGolden(fixture, `routes:\n  - { preset: ${format}, path: ${PATHS[format]}, to: bob@localhost }\n`, PATHS[format]),
      );
  });
