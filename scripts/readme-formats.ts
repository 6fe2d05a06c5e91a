// The generated part of README.md's "What a person sees": for each sender format, one request a
// real sender makes (its recorded payload, test/fixtures/) and the message a client shows for it,
// read from that payload's golden transcript (test/golden/), so the README says what the tests
// check. `bun scripts/config-reference.ts --write` writes it (after `make golden`, which runs it);
// test/unit/readme-formats.test.ts keeps it current.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
/** Where the examples' requests go: the routes are those of the golden tests (their paths). */
const HOST = "https://gw.example.org";
/** A payload longer than this is named by its file (`-d @FILE`) rather than written out. */
const INLINE_MAX = 200;

export interface Example {
  /** The route kind's `preset:` value (test/unit/readme-formats.test.ts wants one per format). */
  preset: string;
  heading: string;
  /** Who sends it, and what it shows off. */
  sender: string;
  /** Under test/fixtures/. */
  fixture: string;
  /** Under test/golden/. */
  golden: string;
  /** The route's path in the golden test, for a fixture that is the bare payload. */
  path?: string;
}

export const EXAMPLES: readonly Example[] = [
  {
    preset: "ntfy",
    heading: "ntfy",
    sender: "curl as in ntfy's docs (title, priority urgent, tags)",
    fixture: "formats/ntfy/curl-headers.json",
    golden: "formats/ntfy/curl-headers.expected",
  },
  {
    preset: "gotify",
    heading: "Gotify",
    sender: "Apprise's `gotify://…?format=markdown&priority=high`",
    fixture: "gotify/apprise-markdown.json",
    golden: "gotify/apprise-markdown.expected",
  },
  {
    preset: "slack",
    heading: "Slack",
    sender: "a Block Kit message (header, links, context)",
    fixture: "formats/slack/blocks.json",
    golden: "formats/slack/blocks.expected",
    path: "/slack/T0/B0/Qm9uZ2VyLXNlY3JldC0x",
  },
  {
    preset: "mattermost",
    heading: "Mattermost",
    sender: "a pipeline notification in GitLab's shape (Markdown links, bold)",
    fixture: "formats/mattermost/markdown-links.json",
    golden: "formats/mattermost/markdown-links.expected",
    path: "/hooks/b7rk3w9zq1xg5pd4ma8ycnhf2e",
  },
  {
    preset: "discord",
    heading: "Discord",
    sender: "Uptime Kuma, a monitor down (an embed, fields, timestamps)",
    fixture: "formats/discord/kuma-down.json",
    golden: "formats/discord/kuma-down.expected",
    path: "/api/webhooks/1189/Zx9fK2mQ7rT4vW8yB3nD",
  },
  {
    preset: "apprise",
    heading: "Apprise",
    sender: "Apprise's `json://`, a warning with a file",
    fixture: "formats/apprise/json-warning-attachment.json",
    golden: "formats/apprise/json-warning-attachment.expected",
    path: "/apprise",
  },
  {
    preset: "teams",
    heading: "Microsoft Teams",
    sender: "Grafana's Teams contact point, an alert firing (an Adaptive Card)",
    fixture: "formats/teams/grafana-firing.json",
    golden: "formats/teams/grafana-firing.expected",
    path: "/teams/x7f3kq9Lw2mZp4Qa",
  },
];

/** A recorded request (ntfy's and Gotify's fixtures say how it was sent); other fixtures are the bare JSON payload. */
interface Recorded {
  method?: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** The first message of a golden transcript, as the client shows it (`to JID:` or `--- to JID` heads each). */
export function firstMessage(transcript: string): string {
  const head = /^(?:to \S+:|--- to \S+)\n/m.exec(transcript);
  if (!head) throw new Error("the golden transcript has no message");
  const after = transcript.slice(head.index + head[0].length);
  return after.split(/\n\n?(?:to \S+:|--- to \S+)\n/)[0]?.replace(/\n$/, "") ?? "";
}

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** The request as one curl line: a recorded request as it was made, a bare payload posted as JSON. */
export function curlLine(example: Example): string {
  const file = `test/fixtures/${example.fixture}`;
  const parsed: unknown = JSON.parse(read(file));
  const recorded = example.path === undefined ? (parsed as Recorded) : undefined;
  const method = recorded?.method && recorded.method !== "POST" ? ["-X", recorded.method] : [];
  const headers = Object.entries(recorded?.headers ?? { "Content-Type": "application/json" })
    .filter(([name]) => !["user-agent", "accept"].includes(name.toLowerCase()))
    .flatMap(([name, value]) => ["-H", quote(`${name}: ${value}`)]);
  const body = recorded ? recorded.body : parsed;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const data = recorded || text.length <= INLINE_MAX ? quote(text) : `@${file}`;
  return ["curl", ...method, ...headers, "-d", data, `${HOST}${recorded?.path ?? example.path}`].join(" ");
}

/** The request in a line of its own, then the message in a block: what a client shows, line for line. */
function block(example: Example): string[] {
  const message = firstMessage(read(`test/golden/${example.golden}`));
  const curl = curlLine(example);
  if (curl.includes("`")) throw new Error(`${example.fixture}: a backtick would end the README's inline code`);
  // A fence may follow a paragraph's last line (CommonMark §4.5): one blank line less per example.
  return [`**${example.heading}**, ${example.sender}: \`${curl}\``, "```text", message, "```"];
}

export function readmeFormatsSection(): string {
  return EXAMPLES.map((e) => block(e).join("\n")).join("\n\n");
}
