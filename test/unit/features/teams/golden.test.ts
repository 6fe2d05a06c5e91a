// Teams: each recorded card, posted to a teams route, answers as its sender expects and gives the
// message in test/golden/formats/teams. The cards (test/fixtures/formats/teams):
// - grafana-firing: Grafana's Teams contact point (grafana/alerting receivers/teams/v1, Workflows
//   Adaptive Card 1.4), as /work/research/formats.md §6 records it;
// - uptime-kuma-down: Uptime Kuma 2.5's Teams provider (server/notification-providers/teams.js,
//   Adaptive Card 1.5 nested in Container > ColumnSet > Column, a FactSet, an ActionSet);
// - uptime-kuma-messagecard-down: Uptime Kuma's Teams provider before Workflows (the same file's
//   earlier MessageCard: `@type`, summary, sections with activityTitle and facts);
// - alertmanager-messagecard-firing: Alertmanager 0.26+ msteams_configs (`type` without `@`).
import { describe, test } from "bun:test";
import { expectFixtureGolden, formatFixtures } from "../../../helpers/format-goldens.ts";

const PATH = "/teams/x7f3kq9Lw2mZp4Qa";

describe("each recorded Teams card gives its golden answer and message", () => {
  for (const fixture of formatFixtures("teams"))
    test(fixture.name, () => expectFixtureGolden(fixture, `routes:\n  - { preset: teams, path: ${PATH}, to: bob@localhost }\n`, PATH));
});
