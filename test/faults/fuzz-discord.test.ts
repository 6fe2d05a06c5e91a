// Property-based fuzzing of the discord format, fed random mutations of its senders' recorded
// payloads (test/fixtures/formats/discord), posted as JSON or as multipart payload_json, with or without
// ?wait=true, and edits of what was sent. Every answer is a 2xx or Discord's error shape
// (`{"message": string, "code": number}`), never a 5xx, and the server never closes the
// gateway's stream (no broken stanza).
import { afterAll, beforeAll, describe, test } from "bun:test";
import fc from "fast-check";
import { startProsody } from "../../testbed/prosody.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { discordFixtures, multipart } from "../helpers/discord-fixtures.ts";
import { apply, change, type Change } from "./fuzz-mutations.ts";
import { fuzz, linkProblem, markLink, send, type Answer } from "./fuzz-harness.ts";

const HOOK = "/api/webhooks/1/Zx9fK2mQ7rT4vW8yB3nD";
// A rate that lets every run's files into the store (FILES_RATE would answer most of them 429).
const ROUTES = `attachments: { rate: { files: 1000000 } }\nroutes:\n  - { preset: discord, path: ${HOOK}, to: [bob@localhost, alice@localhost] }\n`;
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

/** Why a discord answer breaks the contract, or null: 2xx, or a 4xx in Discord's shape. */
function discordProblem(a: Answer): string | null {
  if (a.status < 400) return null;
  if (a.status >= 500) return `${a.status}: ${a.text.slice(0, 200)}`;
  // A body declared over http.max_body_bytes is refused before any route, in the route's shape
  // (http/front-door.ts), and past 4 times the limit by Bun itself, bare (http/server.ts).
  if (a.status === 413 && a.text === "") return null;
  try {
    const { message, code, retry_after } = JSON.parse(a.text) as { message?: unknown; code?: unknown; retry_after?: unknown };
    // Discord's 429 has retry_after (and global) instead of a code.
    const shaped = typeof message === "string" && (a.status === 429 ? typeof retry_after === "number" : typeof code === "number");
    return shaped ? null : `${a.status} not in Discord's shape: ${a.text.slice(0, 200)}`;
  } catch {
    return `${a.status} without a JSON body: ${JSON.stringify(a.text.slice(0, 200))}`;
  }
}

const fixtures = discordFixtures();
const statuses = new Map<number, number>();
const input = fc.record({
  fixture: fc.nat(fixtures.length - 1),
  changes: fc.array(change, { minLength: 1, maxLength: 4 }),
  form: fc.boolean(),
  edit: fc.boolean(),
});

async function check({
  fixture,
  changes,
  form,
  edit,
}: {
  fixture: number;
  changes: Change[];
  form: boolean;
  edit: boolean;
}): Promise<string | null> {
  if (gw === undefined) throw new Error("no gateway");
  const f = fixtures[fixture];
  if (!f) throw new Error(`no fixture ${fixture}`);
  const body = JSON.stringify(changes.reduce(apply, JSON.parse(f.payload) as unknown));
  const init = (method: string): RequestInit =>
    form ? { ...multipart(body, ["graph.png"]), method } : { method, headers: { "content-type": "application/json" }, body };
  const mark = await markLink(prosody, gw);
  // An edit needs a message to edit: the fixture itself, sent first with ?wait=true.
  const original = edit ? await send(`${gw.url}${HOOK}?wait=true`, f.init()) : undefined;
  const id = original?.status === 200 ? (JSON.parse(original.text) as { id: string }).id : undefined;
  const url = id ? `${gw.url}${HOOK}/messages/${id}` : `${gw.url}${HOOK}?wait=true`;
  const answer = await send(url, init(id ? "PATCH" : "POST"));
  statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
  const problem = discordProblem(answer) ?? (await linkProblem(prosody, gw, mark));
  return problem === null ? null : `${id ? "PATCH" : "POST"} (${f.name}) → ${answer.status} ${answer.text.slice(0, 300)}: ${problem}`;
}

describe("fuzzing the discord format", () => {
  test(
    "every mutation of every recorded payload gets 2xx or Discord's JSON 4xx, and the stream stays up",
    async () => {
      // Attachments on (the links need not be reachable): the multipart variants' files go into the store.
      gw = await startGateway(prosody, { routes: ROUTES, http: ["public_url: https://gw.example.org"] });
      await fuzz("discord", input, check);
      console.log(`faults fuzz discord: answers ${JSON.stringify(Object.fromEntries(statuses))}`);
    },
    TEST_TIMEOUT_MS,
  );
});
