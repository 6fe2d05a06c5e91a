// Gotify senders' payloads (test/fixtures/gotify), each posted to a preset: gotify route as its
// sender posts it: the answer and the chat message are compared with test/golden/gotify. Golden
// files are written only with STANZAGATE_GOLDEN=write (bun test this file): review the diff after.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";

const FIXTURES = join(import.meta.dir, "../../../fixtures/gotify");
const GOLDEN = join(import.meta.dir, "../../../golden/gotify");
const TOKEN = "AGhVjJ3kKc0d.zm";

interface Fixture {
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

let gw: FakeGateway;
beforeAll(async () => {
  gw = await fakeGateway(`auth:
  apps: { kind: bearer, tokens: [{ token: "${TOKEN}", name: monitoring }] }
routes:
  - { preset: gotify, to: ops@localhost, auth: apps }
`);
});
afterAll(() => gw.stop());

/** The answer, with its date (the only thing that changes between runs) put aside. */
async function replay(fixture: Fixture): Promise<string> {
  const before = gw.stanzas().length;
  const headers = Object.fromEntries(Object.entries(fixture.headers).map(([k, v]) => [k, v.replace("TOKEN", TOKEN)]));
  const res = await gw.request(fixture.path.replace("TOKEN", TOKEN), { method: "POST", headers, body: JSON.stringify(fixture.body) });
  const answer = (await res.json()) as Record<string, unknown>;
  expect(typeof answer.date).toBe("string");
  const sent = gw.stanzas().slice(before);
  return [
    `status ${res.status}`,
    JSON.stringify({ ...answer, id: "(id)", date: "(date)" }, null, 2),
    ...sent.map((s) => `--- to ${s.attrs.to}\n${s.getChildText("body")}`),
    "",
  ].join("\n");
}

describe("each Gotify sender's payload gives its golden answer and message", () => {
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith(".json"))) {
    test(file, async () => {
      const actual = await replay((await Bun.file(join(FIXTURES, file)).json()) as Fixture);
      const golden = Bun.file(join(GOLDEN, file.replace(/\.json$/, ".expected")));
      if (process.env.STANZAGATE_GOLDEN === "write") await Bun.write(golden, actual);
      else if (!(await golden.exists()))
        throw new Error(
          `${golden.name} is missing: run \`STANZAGATE_GOLDEN=write bun test test/unit/gotify-golden.test.ts\`, then review it`,
        );
      expect(actual).toBe(await golden.text());
      expect(actual).toStartWith("status 200\n");
    });
  }
});
