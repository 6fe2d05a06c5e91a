// Grafana's webhook contact point with its HMAC signature (format: grafana): the recorded payload
// (grafana/alerting receivers/webhook/v1 `webhookMessage`, test/fixtures/formats/grafana-webhook),
// signed as Grafana signs it with a timestamp header, reaches the grafana preset and gives the
// message in test/golden/formats/grafana-webhook; the same request signed with another secret, or
// replayed after the window, sends nothing.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";
import { expectGolden, formatFixtures, transcript } from "../../../helpers/format-goldens.ts";

const SECRET = "grafana-contact-point-secret";
const [fixture] = formatFixtures("grafana-webhook");
let gw: FakeGateway;

beforeAll(async () => {
  gw = await fakeGateway(`auth:
  grafana: { kind: hmac, format: grafana, secret: ${SECRET}, timestamp_header: X-Grafana-Timestamp, tolerance_s: 300 }
routes:
  - { preset: grafana, auth: grafana, to: bob@localhost }
`);
});
afterAll(() => gw.stop());

/** grafana/alerting http/hmac.go: hex HMAC-SHA256 of `<timestamp>:<body>`, the timestamp in its header. */
function signed(body: string, secret: string, timestamp: number): RequestInit {
  const signature = createHmac("sha256", secret).update(`${timestamp}:${body}`).digest("hex");
  return {
    method: "POST",
    headers: { "content-type": "application/json", "x-grafana-alerting-signature": signature, "x-grafana-timestamp": String(timestamp) },
    body,
  };
}

test("a signed firing notification gives its golden message", async () => {
  const body = await fixture!.text();
  const response = await gw.request("/grafana", signed(body, SECRET, Math.floor(Date.now() / 1000)));
  // The answer's id differs on every run: the golden keeps its place.
  const answer = new Response((await response.text()).replace(/"id":"[^"]+"/, '"id":"…"'), { status: response.status });
  await expectGolden("grafana-webhook", fixture!.name, await transcript(answer, gw.stanzas()));
});

test("signed with another secret, or with a timestamp older than tolerance_s, it is 401 and nothing is sent", async () => {
  const body = await fixture!.text();
  const before = gw.stanzas().length;
  const now = Math.floor(Date.now() / 1000);
  const forged = await gw.request("/grafana", signed(body, "guess", now));
  expect([forged.status, ((await forged.json()) as { reason: string }).reason]).toEqual([
    401,
    "X-Grafana-Alerting-Signature does not match the body",
  ]);
  const stale = await gw.request("/grafana", signed(body, SECRET, now - 3_600));
  expect([stale.status, ((await stale.json()) as { reason: string }).reason]).toEqual([
    401,
    "X-Grafana-Timestamp is older than the 300 s window allows",
  ]);
  expect(gw.stanzas().length).toBe(before);
});
