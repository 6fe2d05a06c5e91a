// Golden messages of the sender formats: a recorded payload (test/fixtures/formats/FORMAT/NAME.json)
// posted to its route gives an answer and the chat messages in test/golden/formats/FORMAT/NAME.expected.
// Golden files are written only by `make golden` (STANZAGATE_GOLDEN=write): review the diff after.
import { expect } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Element } from "ltx";
import { fakeGateway } from "./fake-gateway.ts";

const FIXTURES = join(import.meta.dir, "../fixtures/formats");
const GOLDEN = join(import.meta.dir, "../golden/formats");

export interface FormatFixture {
  format: string;
  /** The file name without `.json`. */
  name: string;
  text(): Promise<string>;
}

export function formatFixtures(format: string): FormatFixture[] {
  return readdirSync(join(FIXTURES, format))
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({ format, name: file.replace(/\.json$/, ""), text: () => Bun.file(join(FIXTURES, format, file)).text() }));
}

/**
 * The answer as a sender sees it, then each message as a client shows it; an attachment's message
 * (XEP-0066) says its description after the URL. A stored file's id is random: `<id>` stands for it.
 */
export async function transcript(response: Response, messages: readonly Element[]): Promise<string> {
  const answer = `HTTP ${response.status} ${JSON.stringify(await response.text())}`;
  return `${[answer, ...messages.map(shown)].join("\n\n")}\n`.replace(/\/[0-9a-f]{32}\//g, "/<id>/");
}

function shown(m: Element): string {
  const oob = m.getChild("x", "jabber:x:oob");
  const desc = oob ? `\n[XEP-0066 ${oob.getChildText("desc") ?? "link"}]` : "";
  return `to ${m.attrs.to}:\n${m.getChildText("body")}${desc}`;
}

/** The <body> of each message in a golden transcript (for the real-server tests). */
export async function goldenBodies(format: string, name: string): Promise<string[]> {
  const text = await Bun.file(join(GOLDEN, format, `${name}.expected`)).text();
  return text
    .split(/\n\nto [^\n]+:\n/)
    .slice(1)
    .map((b, i, all) => (i === all.length - 1 ? b.replace(/\n$/, "") : b));
}

export async function expectGolden(format: string, name: string, actual: string): Promise<void> {
  const golden = Bun.file(join(GOLDEN, format, `${name}.expected`));
  if (process.env.STANZAGATE_GOLDEN === "write") await Bun.write(golden, actual);
  else if (!(await golden.exists())) throw new Error(`${format}/${name}.expected is missing: run \`make golden\`, then review it`);
  expect(actual).toBe(await golden.text());
}

/** A gateway of its own with `routes`, the fixture posted to `path` as JSON, the transcript against the golden. */
export async function expectFixtureGolden(fixture: FormatFixture, routes: string, path: string): Promise<void> {
  const gw = await fakeGateway(routes);
  try {
    const response = await gw.request(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: await fixture.text(),
    });
    await expectGolden(fixture.format, fixture.name, await transcript(response, gw.stanzas()));
  } finally {
    await gw.stop();
  }
}
