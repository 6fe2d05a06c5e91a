// Property-based fuzzing of every preset, fed random mutations of its source's recorded payloads
// (each preset folder's fixtures/): any field replaced by any value, removed, or an array grown huge, and
// the event header changed. Every answer is a 2xx or a catalogued JSON error (never a 5xx), and
// the server never closes the gateway's stream (no broken stanza).
import { afterAll, beforeAll, describe, test } from "bun:test";
import fc from "fast-check";
import { startProsody } from "../../testbed/prosody.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { presetFixtures } from "../helpers/preset-fixtures.ts";
import { PRESET_NAMES } from "../../src/features/presets/sources.ts";
import { weirdString } from "./fuzz-inputs.ts";
import { apply, change, type Change } from "./fuzz-mutations.ts";
import { answerProblem, fuzz, linkProblem, markLink, send } from "./fuzz-harness.ts";

const ROUTES = `routes:\n${PRESET_NAMES.map((p) => `  - { preset: ${p}, path: /${p}, to: [bob@localhost, alice@localhost] }`).join("\n")}\n`;
const TEST_TIMEOUT_MS = 120_000;

let prosody: XmppServer;
let gw: TestGateway | undefined;

beforeAll(async () => {
  prosody = await startProsody();
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await prosody?.stop();
});

const fixtures = presetFixtures();
/** Every event the recorded payloads name (each folder's about.yaml), and one no preset knows. */
const EVENTS = [...new Set(fixtures.flatMap((f) => f.headers.map(([, event]) => event))), "star"];
/** How often each status was answered: printed, so a run that only ever hit one error is seen. */
const statuses = new Map<number, number>();
const input = fc.record({
  fixture: fc.nat(fixtures.length - 1),
  changes: fc.array(change, { minLength: 1, maxLength: 4 }),
  event: fc.option(fc.oneof(fc.constantFrom(...EVENTS), weirdString(2)), { nil: undefined }),
});

async function check({
  fixture,
  changes,
  event,
}: {
  fixture: number;
  changes: Change[];
  event: string | undefined;
}): Promise<string | null> {
  if (gw === undefined) throw new Error("no gateway");
  const f = fixtures[fixture];
  if (!f) throw new Error(`no fixture ${fixture}`);
  const body = changes.reduce(apply, await f.json());
  const headers: Record<string, string> = { "content-type": "application/json", ...Object.fromEntries(f.headers) };
  const [header] = f.headers[0] ?? [];
  if (header && event !== undefined && /^[\x20-\x7e]*$/.test(event)) headers[header] = event;
  const mark = await markLink(prosody, gw);
  const answer = await send(`${gw.url}/${f.preset}`, { method: "POST", headers, body: JSON.stringify(body) });
  statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
  const problem = answerProblem(answer) ?? (await linkProblem(prosody, gw, mark));
  return problem === null ? null : `POST /${f.preset} (${f.file}) → ${answer.status} ${answer.text.slice(0, 300)}: ${problem}`;
}

describe("fuzzing the presets", () => {
  test(
    "every mutation of every recorded payload gets 2xx or a JSON 4xx, and the stream stays up",
    async () => {
      gw = await startGateway(prosody, { routes: ROUTES, waitForPrivileges: true });
      await fuzz("presets", input, check);
      console.log(`faults fuzz presets: answers ${JSON.stringify(Object.fromEntries(statuses))}`);
    },
    TEST_TIMEOUT_MS,
  );
});
