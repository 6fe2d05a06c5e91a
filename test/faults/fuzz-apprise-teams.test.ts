// Property-based fuzzing of the apprise and teams formats, fed random mutations of their senders'
// recorded payloads (test/fixtures/formats/apprise and teams). Every answer is a 2xx or a refusal
// in the sender's own shape (json://: the catalogue's JSON; the Apprise API: a sentence as text;
// Teams: Workflows' `{"error": {"code", "message"}}`, or text for a MessageCard), never a 5xx, and
// the server never closes the gateway's stream (no broken stanza).
import { afterAll, beforeAll, describe, test } from "bun:test";
import fc from "fast-check";
import { startProsody } from "../../testbed/prosody.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { formatFixtures } from "../helpers/format-goldens.ts";
import { apply, change, type Change } from "./fuzz-mutations.ts";
import { answerProblem, fuzz, linkProblem, markLink, send, type Answer } from "./fuzz-harness.ts";

const TEAMS = "/teams/x7f3kq9Lw2mZp4Qa";
const ROUTES = `routes:
  - { preset: apprise, path: /apprise, to: [bob@localhost, alice@localhost] }
  - { preset: teams, path: ${TEAMS}, to: [bob@localhost, alice@localhost] }
`;
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

type Shape = "catalogue" | "text" | "teams";

/** Why an answer breaks its sender's contract, or null. */
function shapeProblem(a: Answer, shape: Shape): string | null {
  if (a.status < 400) return a.status >= 200 ? null : `${a.status}: not an answer a sender takes`;
  if (a.status >= 500) return `${a.status}: ${a.text.slice(0, 200)}`;
  // A body declared over http.max_body_bytes is refused before any route, in the route's shape
  // (http/front-door.ts), and past 4 times the limit by Bun itself, bare (http/server.ts).
  if (a.status === 413 && a.text === "") return null;
  if (shape === "catalogue") return answerProblem(a);
  if (a.text.trim() === "") return `${a.status} without a word of why`;
  if (shape === "text" || !a.text.startsWith("{")) return null;
  const { error } = JSON.parse(a.text) as { error?: { code?: unknown; message?: unknown } };
  return typeof error?.code === "string" && typeof error.message === "string"
    ? null
    : `${a.status} not in Workflows' shape: ${a.text.slice(0, 200)}`;
}

const fixtures = [...formatFixtures("apprise"), ...formatFixtures("teams")];
const statuses = new Map<number, number>();
const input = fc.record({ fixture: fc.nat(fixtures.length - 1), changes: fc.array(change, { minLength: 1, maxLength: 4 }) });

async function check({ fixture, changes }: { fixture: number; changes: Change[] }): Promise<string | null> {
  if (gw === undefined) throw new Error("no gateway");
  const f = fixtures[fixture];
  if (!f) throw new Error(`no fixture ${fixture}`);
  const body = JSON.stringify(changes.reduce(apply, JSON.parse(await f.text()) as unknown));
  const [path, shape]: [string, Shape] =
    f.format === "teams" ? [TEAMS, "teams"] : f.name.startsWith("api-") ? ["/apprise/notify/ops-key", "text"] : ["/apprise", "catalogue"];
  const mark = await markLink(prosody, gw);
  const answer = await send(`${gw.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });
  statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
  const problem = shapeProblem(answer, shape) ?? (await linkProblem(prosody, gw, mark));
  return problem === null ? null : `POST ${path} (${f.format}/${f.name}) → ${answer.status} ${answer.text.slice(0, 300)}: ${problem}`;
}

describe("fuzzing apprise and teams", () => {
  test(
    "every mutation of every recorded payload gets 2xx or the sender's own refusal, and the stream stays up",
    async () => {
      gw = await startGateway(prosody, { routes: ROUTES, waitForPrivileges: true });
      await fuzz("apprise-teams", input, check);
      console.log(`faults fuzz apprise-teams: answers ${JSON.stringify(Object.fromEntries(statuses))}`);
    },
    TEST_TIMEOUT_MS,
  );
});
