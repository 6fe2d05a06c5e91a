// ntfy senders' payloads (test/fixtures/formats/ntfy), each published to a preset: ntfy route as
// its sender publishes it: the answer and the chat messages are compared with
// test/golden/formats/ntfy (written only by `make golden`: review the diff after).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";
import { expectGolden, formatFixtures, transcript } from "../../../helpers/format-goldens.ts";
import { ntfyRequest } from "../../../helpers/ntfy-fixtures.ts";

let gw: FakeGateway;
beforeAll(async () => {
  gw = await fakeGateway("routes:\n  - { preset: ntfy, to: ops@localhost, topics: { backups: [admin@localhost, ops@localhost] } }\n");
});
afterAll(() => gw.stop());

describe("each ntfy sender's payload gives its golden answer and messages", () => {
  for (const fixture of formatFixtures("ntfy"))
    test(fixture.name, async () => {
      const { path, init } = ntfyRequest(await fixture.text());
      const before = gw.stanzas().length;
      const response = await gw.request(path, init);
      const answer = (await response.json()) as Record<string, unknown>;
      expect([response.status, answer.id]).toEqual([200, expect.stringMatching(/^[A-Za-z0-9]{12}$/)]);
      // What changes between runs (ids, times) is put aside.
      const actions = answer.actions as Array<Record<string, unknown>> | undefined;
      const stable = {
        ...answer,
        id: "(id)",
        time: "(time)",
        expires: "(expires)",
        ...(actions ? { actions: actions.map((a) => ({ ...a, id: "(id)" })) } : {}),
      };
      const shown = new Response(JSON.stringify(stable), { status: response.status });
      await expectGolden("ntfy", fixture.name, await transcript(shown, gw.stanzas().slice(before)));
    });
});
