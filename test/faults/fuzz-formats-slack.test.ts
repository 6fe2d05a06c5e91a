// Property-based fuzzing of preset: slack and preset: mattermost: random Slack-shaped payloads
// (text, attachments, Block Kit with hostile strings and values of every type, 10,000-item lists),
// the recorded sender payloads with parts replaced, any JSON, and bodies that are not JSON, as JSON
// or in a form's payload=. Every answer is `200 ok` or a 4xx in the vendor's shape (Slack's error
// string, Mattermost's AppError JSON), never a 5xx, and the server never closes the gateway's stream.
import { describe, test } from "bun:test";
import fc from "fast-check";
import type { TestGateway } from "../helpers/gateway.ts";
import { formatFixtures } from "../helpers/format-goldens.ts";
import { weirdString } from "./fuzz-inputs.ts";
import { type Answer, fuzz, linkProblem, markLink, send, useFuzzBed } from "./fuzz-harness.ts";

const PATHS = { slack: "/slack/T0/B0/fuzz-secret-0123456789", mattermost: "/hooks/fuzzsecret0123456789abcdef" };
const ROUTES = `routes:
  - { preset: slack, path: ${PATHS.slack}, to: [bob@localhost, alice@localhost] }
  - { preset: mattermost, path: ${PATHS.mattermost}, to: bob@localhost }
`;
const TEST_TIMEOUT_MS = 120_000;
const bed = useFuzzBed();
let gw: TestGateway | undefined;

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  weirdString(),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom("<https://x.example|x>", "<!here>", "[a](https://b)", "**x**", "&lt;", "danger", "#e01e5a", null, [], {}),
);
const textObject = fc.record({ type: fc.constantFrom("mrkdwn", "plain_text", "x"), text: anyValue }, { requiredKeys: [] });
const block = fc.record(
  {
    type: fc.constantFrom("header", "section", "context", "divider", "image", "actions", "rich_text", "input"),
    text: fc.oneof(textObject, anyValue),
    fields: fc.oneof(fc.array(textObject, { maxLength: 12 }), anyValue),
    elements: fc.oneof(
      fc.array(fc.oneof(textObject, anyValue, fc.constant({ type: "button", text: "b", url: "https://u" })), { maxLength: 6 }),
      anyValue,
    ),
    image_url: anyValue,
    accessory: anyValue,
  },
  { requiredKeys: ["type"] },
);
/** Mostly a list (so most payloads get past the shape checks), sometimes past Slack's limits, sometimes not a list. */
const many = <T>(item: fc.Arbitrary<T>) =>
  fc.oneof(
    { arbitrary: fc.array(item, { maxLength: 6 }), weight: 8 },
    { arbitrary: fc.integer({ min: 49, max: 10_000 }).map((n) => Array(n).fill({ type: "divider" })), weight: 1 },
    { arbitrary: anyValue, weight: 1 },
  );
const text = fc.oneof({ arbitrary: weirdString(), weight: 8 }, { arbitrary: anyValue, weight: 1 });
const attachment = fc.record(
  {
    title: text,
    title_link: anyValue,
    text,
    pretext: anyValue,
    fallback: anyValue,
    footer: anyValue,
    color: anyValue,
    image_url: anyValue,
    fields: fc.oneof(fc.array(fc.record({ title: anyValue, value: anyValue }), { maxLength: 5 }), anyValue),
    blocks: many(block),
  },
  { requiredKeys: [] },
);
const payload = fc.record(
  { text: anyValue, attachments: many(attachment), blocks: many(block), username: anyValue, channel: anyValue },
  { requiredKeys: [] },
);

const fixtures = [...formatFixtures("slack"), ...formatFixtures("mattermost")];
const input = fc.record({
  format: fc.constantFrom("slack" as const, "mattermost" as const),
  body: fc.oneof(
    { arbitrary: payload, weight: 6 },
    { arbitrary: fc.tuple(fc.nat(fixtures.length - 1), payload).map(([i, over]) => ({ fixture: i, over })), weight: 3 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
    { arbitrary: weirdString(12).map((raw) => ({ raw })), weight: 1 },
  ),
  form: fc.boolean(),
});

/** How often each status was answered: printed, so a run that only ever hit one answer is seen. */
const statuses = new Map<number, number>();

async function bodyOf(body: unknown): Promise<string> {
  if (body !== null && typeof body === "object" && "raw" in body) return String(body.raw);
  if (body !== null && typeof body === "object" && "fixture" in body && "over" in body) {
    const f = fixtures[body.fixture as number];
    return JSON.stringify({ ...(f ? (JSON.parse(await f.text()) as object) : {}), ...(body.over as object) });
  }
  return JSON.stringify(body);
}

function answerProblem(format: "slack" | "mattermost", a: Answer): string | null {
  if (a.status === 200) return a.text === "ok" ? null : `200 with ${JSON.stringify(a.text.slice(0, 100))}, not ok`;
  if (a.status >= 500 || a.status < 400) return `status ${a.status}`;
  if (format === "slack") return /^[a-z_]+$/.test(a.text) ? null : `not a Slack error string: ${a.text.slice(0, 200)}`;
  try {
    const e = JSON.parse(a.text) as { id?: unknown; status_code?: unknown };
    return typeof e.id === "string" && e.status_code === a.status ? null : `not an AppError: ${a.text.slice(0, 200)}`;
  } catch {
    return `not JSON: ${a.text.slice(0, 200)}`;
  }
}

async function check({ format, body, form }: { format: "slack" | "mattermost"; body: unknown; form: boolean }): Promise<string | null> {
  if (gw === undefined) throw new Error("no gateway");
  const json = await bodyOf(body);
  const mark = await markLink(bed.prosody(), gw);
  const init = form
    ? { headers: { "content-type": "application/x-www-form-urlencoded" }, body: `payload=${encodeURIComponent(json.toWellFormed())}` }
    : { headers: { "content-type": "application/json" }, body: json };
  const answer = await send(`${gw.url}${PATHS[format]}`, { method: "POST", ...init });
  statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
  const problem = answerProblem(format, answer) ?? (await linkProblem(bed.prosody(), gw, mark));
  return problem === null ? null : `POST ${format} → ${answer.status} ${answer.text.slice(0, 300)}: ${problem}`;
}

describe("fuzzing the Slack and Mattermost formats", () => {
  test(
    "every payload gets 200 ok or a 4xx in the vendor's shape, and the stream stays up",
    async () => {
      gw = await bed.gateway(ROUTES);
      await fuzz("slack", input, check);
      console.log(`faults fuzz slack: answers ${JSON.stringify(Object.fromEntries(statuses))}`);
    },
    TEST_TIMEOUT_MS,
  );
});
