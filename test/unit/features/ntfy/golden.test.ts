// ntfy senders' payloads (test/fixtures/ntfy), each published to a preset: ntfy route as its
// sender publishes it: the answer and the chat message are compared with test/golden/ntfy. Golden
// files are written only with STANZAGATE_GOLDEN=write (bun test this file): review the diff after.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";

const FIXTURES = join(import.meta.dir, "../../../fixtures/ntfy");
const GOLDEN = join(import.meta.dir, "../../../golden/ntfy");

interface Fixture {
  method?: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

let gw: FakeGateway;
beforeAll(async () => {
  gw = await fakeGateway("routes:\n  - { preset: ntfy, to: ops@localhost, topics: { backups: [admin@localhost, ops@localhost] } }\n");
});
afterAll(() => gw.stop());

/** The answer, with what changes between runs (ids, times) put aside. */
async function replay(fixture: Fixture): Promise<string> {
  const before = gw.stanzas().length;
  const body = typeof fixture.body === "string" ? fixture.body : JSON.stringify(fixture.body);
  const res = await gw.request(fixture.path, { method: fixture.method ?? "POST", headers: fixture.headers, body });
  const answer = (await res.json()) as Record<string, unknown>;
  expect(answer.id).toMatch(/^[A-Za-z0-9]{12}$/);
  const actions = answer.actions as Array<Record<string, unknown>> | undefined;
  const stable = {
    ...answer,
    id: "(id)",
    time: "(time)",
    expires: "(expires)",
    ...(actions ? { actions: actions.map((a) => ({ ...a, id: "(id)" })) } : {}),
  };
  const sent = gw.stanzas().slice(before);
  return [
    `status ${res.status}`,
    JSON.stringify(stable, null, 2),
    ...sent.map((s) => `--- to ${s.attrs.to}\n${s.getChildText("body")}`),
    "",
  ].join("\n");
}

describe("each ntfy sender's payload gives its golden answer and message", () => {
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith(".json"))) {
    test(file, async () => {
      const actual = await replay((await Bun.file(join(FIXTURES, file)).json()) as Fixture);
      const golden = Bun.file(join(GOLDEN, file.replace(/\.json$/, ".expected")));
      if (process.env.STANZAGATE_GOLDEN === "write") await Bun.write(golden, actual);
      else if (!(await golden.exists()))
        throw new Error(`${golden.name} is missing: run \`STANZAGATE_GOLDEN=write bun test ${import.meta.file}\`, then review it`);
      expect(actual).toBe(await golden.text());
      expect(actual).toStartWith("status 200\n");
    });
  }
});
