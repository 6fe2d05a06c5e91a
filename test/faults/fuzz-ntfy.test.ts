// Property-based fuzzing of preset: ntfy: every publish form (body to a topic, JSON to the root,
// GET /publish, DELETE of a sequence id) with hostile topics, headers, query parameters and
// bodies. Every answer is a 200 with ntfy's message JSON or ntfy's error shape with its own status
// (never a 5xx about the gateway), and the server never closes the gateway's stream.
import { describe, test } from "bun:test";
import fc from "fast-check";
import { useTestBed } from "../helpers/bed.ts";
import { testServers } from "../helpers/servers.ts";
import { bodyBytes, jsonBody, nearlyValid, textInput, urlPart, weirdString } from "./fuzz-inputs.ts";
import { fuzz, linkProblem, markLink, send, type Answer } from "./fuzz-harness.ts";

const ROUTES = `routes:
  - preset: ntfy
    path: /ntfy
    to: alice@localhost
    topics: { backups: [bob@localhost, alice@localhost] }
`;
const TEST_TIMEOUT_MS = 120_000;
/** ntfy's parameters, by one of their names each (server/server.go parsePublishParams). */
const PARAMS = [
  "Title",
  "Priority",
  "Tags",
  "Click",
  "Attach",
  "Filename",
  "Icon",
  "Markdown",
  "Actions",
  "Message",
  "X-Sequence-ID",
  "Email",
  "Delay",
];
const FIELDS = [
  "topic",
  "message",
  "title",
  "priority",
  "tags",
  "click",
  "attach",
  "filename",
  "icon",
  "markdown",
  "actions",
  "sequence_id",
];

// Prosody: the harness reads its log for stream errors.
const [prosody] = testServers({ STANZAGATE_SERVERS: "prosody" });
if (!prosody) throw new Error("the fault suite runs on Prosody");
const bed = useTestBed(prosody, { gateway: { routes: ROUTES, waitForPrivileges: true } });

/** A header value as a sender's bytes: UTF-8 read as Latin-1 (what goes on the wire), without the controls fetch refuses. */
const headerValue: fc.Arbitrary<string> = fc
  .oneof(
    weirdString(),
    fc.constantFrom("5", "urgent", "u=1, i", "https://x/", "view, a, https://x/", "[{}]", "=?UTF-8?B?w7w=?=", "=?UTF-8?Q?a_b?="),
  )
  .map((s) =>
    Buffer.from(s.toWellFormed(), "utf8")
      .toString("latin1")
      .replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ""),
  );

/** Half the time nothing: a run of hostile parameters alone would never reach a publish that succeeds. */
const sometimes = (extra: fc.Arbitrary<Record<string, string>>) => fc.oneof(fc.constant({}), extra);

const topic: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom("backups", "other"), weight: 3 },
  fc.constantFrom("v1", "a".repeat(65)),
  urlPart,
  nearlyValid("backups").map((t) => encodeURIComponent(t.toWellFormed())),
);

const input = fc.record({
  form: fc.constantFrom("topic", "sequence", "json", "get", "delete"),
  method: fc.constantFrom("POST", "PUT"),
  topic,
  sequence: fc.oneof(fc.constantFrom("seq-1", "seq-2"), urlPart),
  headers: sometimes(fc.dictionary(fc.constantFrom(...PARAMS), headerValue, { maxKeys: 4 })),
  query: sometimes(
    fc.dictionary(fc.constantFrom("title", "p", "tags", "message", "sid", "auth", "attach", "actions"), urlPart, { maxKeys: 3 }),
  ),
  body: fc.oneof(
    fc.string().map((s) => new TextEncoder().encode(s)),
    bodyBytes(textInput()),
  ),
  json: fc.oneof(
    fc.record({ topic: fc.constantFrom("backups", "other"), message: fc.string() }).map((o) => JSON.stringify(o)),
    jsonBody(FIELDS),
  ),
});

type Input = typeof input extends fc.Arbitrary<infer T> ? T : never;

function request(i: Input): { path: string; init: RequestInit } {
  const query = Object.entries(i.query)
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const at = (path: string) => `/ntfy${path}${query ? `?${query}` : ""}`;
  if (i.form === "json") return { path: at(""), init: { method: i.method, headers: i.headers, body: i.json } };
  if (i.form === "get") return { path: at(`/${i.topic}/publish`), init: { headers: i.headers } };
  if (i.form === "delete") return { path: at(`/${i.topic}/${i.sequence}`), init: { method: "DELETE", headers: i.headers } };
  const path = i.form === "sequence" ? `/${i.topic}/${i.sequence}` : `/${i.topic}`;
  return { path: at(path), init: { method: i.method, headers: i.headers, body: i.body } };
}

/** Why this answer is not ntfy's: a 200 is its message, anything else its error with the status in `http`. */
function ntfyProblem(a: Answer): string | null {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(a.text) as Record<string, unknown>;
  } catch {
    return `${a.status} without a JSON body`;
  }
  if (a.status === 200) return typeof body.id === "string" && typeof body.event === "string" ? null : "200 without ntfy's message";
  // What the router answers before any route (a `/` in the topic, a method no ntfy path takes)
  // keeps the gateway's shape; a body past http.max_body_bytes is ntfy's (http/front-door.ts).
  if (["404 NOT_FOUND", "405 METHOD_NOT_ALLOWED", "501 METHOD_NOT_IMPLEMENTED"].includes(`${a.status} ${body.code}`))
    return typeof body.error === "string" ? null : `${a.status} without error`;
  if (typeof body.error !== "string" || body.http !== a.status) return `not ntfy's error shape (http ${String(body.http)})`;
  if (body.code !== undefined && (typeof body.code !== "number" || Math.floor(body.code / 100) !== a.status)) return `code ${body.code}`;
  return a.status >= 500 && a.status !== 502 && a.status !== 504 ? `${a.status} from the gateway` : null;
}

const statuses = new Map<number, number>();

async function check(i: Input): Promise<string | null> {
  const { server, gw } = bed;
  const { path, init } = request(i);
  const mark = await markLink(server, gw);
  const answer = await send(`${gw.url}${path}`, init);
  statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
  const problem = ntfyProblem(answer) ?? (await linkProblem(server, gw, mark));
  return problem === null ? null : `${init.method ?? "GET"} ${path} → ${answer.status} ${answer.text.slice(0, 300)}: ${problem}`;
}

describe("fuzzing preset: ntfy", () => {
  test(
    "every publish, update and withdrawal gets ntfy's message or ntfy's error, and the stream stays up",
    async () => {
      await fuzz("ntfy", input, check);
      console.log(`faults fuzz ntfy: answers ${JSON.stringify(Object.fromEntries(statuses))}`);
    },
    TEST_TIMEOUT_MS,
  );
});
