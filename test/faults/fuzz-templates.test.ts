// Property-based fuzzing of a route with Liquid loops, conditions and filters, fed random
// mutations of a real Alertmanager payload: a missing field, a non-array where the loop expects
// one, strings XML cannot carry, huge arrays. Every answer is a 2xx or a catalogued JSON error
// (never a 5xx), and the server never closes the gateway's stream (no broken stanza).
import { afterAll, afterEach, beforeAll, describe, test } from "bun:test";
import fc from "fast-check";
import { startProsody } from "../../testbed/prosody.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { weirdString } from "./fuzz-inputs.ts";
import { answerProblem, fuzz, linkProblem, markLink, send } from "./fuzz-harness.ts";
import alertmanager from "../fixtures/webhooks/alertmanager-firing.json";

const ROUTES = `
routes:
  - path: /am/:user
    max_stanzas: 5
    when: body.status != "ignore" and body.alerts.size > 0
    send:
      - |
        {% for a in body.alerts %}
        <message to="{{ params.user }}@localhost" type="{{ a.type | default: "chat" }}">
          <subject>{{ a.labels.alertname | upcase | truncate: 20 }}</subject>
          <body>[{{ a.status | default: "?" }}] {{ a.labels | json }} {{ a.startsAt | date: "%Y-%m-%d %H:%M" }} {{ a.annotations.summary | url_encode }}</body>
          {% if a.generatorURL %}<x xmlns="jabber:x:oob"><url>{{ a.generatorURL }}</url></x>{% endif %}
        </message>
        {% endfor %}
      - |
        <message to="{{ params.user }}@localhost" type="chat"><body>{{ body.alerts.size }} alerts: {{ body.alerts | map: "status" | join: ", " }} {{ body.commonLabels.severity }}</body></message>
`;
const TEST_TIMEOUT_MS = 120_000;

let prosody: XmppServer;
let gw: TestGateway | undefined;

beforeAll(async () => {
  prosody = await startProsody();
}, 30_000);

afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

afterAll(async () => {
  await prosody?.stop();
});

/** Any JSON value, strings included that XML cannot carry or that look like markup and Liquid. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  weirdString(),
  fc.constantFrom("<x/>", "{{ body.status }}", "{% endfor %}", "]]>", "\u0001", 'chat" evil="1', "groupchat", "error", "headline"),
);

type Payload = Record<string, unknown>;
const base = alertmanager as unknown as Payload;
const alerts = base.alerts as Payload[];

/** One change to the payload or to one alert: a field replaced, removed, or an alert repeated many times. */
const mutation: fc.Arbitrary<(p: Payload) => Payload> = fc.oneof(
  fc
    .record({ key: fc.constantFrom("status", "alerts", "commonLabels", "truncatedAlerts"), value: anyValue })
    .map(({ key, value }) => (p: Payload) => ({ ...p, [key]: value })),
  fc.constantFrom("status", "alerts", "commonLabels").map((key) => (p: Payload) => {
    const { [key]: _gone, ...rest } = p;
    return rest;
  }),
  fc
    .record({ i: fc.nat(2), key: fc.constantFrom("status", "labels", "annotations", "startsAt", "generatorURL", "type"), value: anyValue })
    .map(({ i, key, value }) => (p: Payload) => {
      const list = Array.isArray(p.alerts) ? [...(p.alerts as Payload[])] : [...alerts];
      list[i] = { ...(list[i] ?? {}), [key]: value };
      return { ...p, alerts: list };
    }),
  fc
    .integer({ min: 6, max: 3_000 })
    .map((n) => (p: Payload) => ({ ...p, alerts: Array.from({ length: n }, (_, i) => alerts[i % alerts.length]) })),
);

const payload = fc.array(mutation, { minLength: 1, maxLength: 4 }).map((changes) => changes.reduce((p, change) => change(p), base));

async function check(body: Payload): Promise<string | null> {
  if (gw === undefined) throw new Error("no gateway");
  const mark = await markLink(prosody, gw);
  const answer = await send(`${gw.url}/am/bob`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const problem = answerProblem(answer) ?? (await linkProblem(prosody, gw, mark));
  return problem === null ? null : `POST /am/bob → ${answer.status} ${answer.text.slice(0, 300)}: ${problem}`;
}

describe("fuzzing a template with loops and filters", () => {
  test(
    "every mutation of an Alertmanager payload gets 2xx or a JSON 4xx, and the stream stays up",
    async () => {
      gw = await startGateway(prosody, { routes: ROUTES, waitForPrivileges: true });
      await fuzz("templates", payload, check);
    },
    TEST_TIMEOUT_MS,
  );
});
