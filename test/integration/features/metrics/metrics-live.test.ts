// /metrics of a gateway on the test Prosody: stanza counts, 201s, the confirmation round trip, link
// state, and a plugin's own metrics (component_http's webhook calls).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { sample } from "../../../helpers/offline-gateway.ts";
import { serverKind } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { messageWithBody } from "../../../../testbed/xmpp-client.ts";
import { json, startWebhook, type TestWebhook } from "../../plugins/component_http-webhook.ts";

const TOKEN = "metrics-token-0123456789";
let hook: TestWebhook;

// component_http's webhook, started before the gateway that calls it and stopped after it.
beforeAll(() => void (hook = startWebhook()));
const bed = useTestBed(serverKind("prosody"), {
  gateway: () => ({
    routes: `
auth:
  app: { kind: bearer, tokens: [{ token: ${TOKEN}, name: app }] }
routes:
  - name: say
    path: /say
    auth: app
    send: '<message to="bob@localhost" type="chat"><body>{{ body.text }}</body></message>'
  - plugin: component_http
    options: { post_url: "${hook.url}", local_parts: [echo] }
`,
  }),
  clients: ["bob"],
  clientOptions: { bob: { resource: "phone" } },
});
afterAll(() => hook?.stop());

const scrape = async () => (await fetch(`${bed.gw.url}/metrics`)).text();

describe("a scrape after traffic", () => {
  test("counts N delivered requests as N 201s, N messages sent and N confirmations", async () => {
    const N = 25;
    const statuses = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        bed.gw
          .post("/say", { headers: { authorization: `Bearer ${TOKEN}`, "content-type": "text/plain" }, body: `m${i}` })
          .then((r) => r.status),
      ),
    );
    expect(statuses).toEqual(Array(N).fill(201));
    await bed.bob.collect((s) => s.name === "message" && /^m\d+$/.test(s.getChildText("body") ?? ""), N);
    const text = await scrape();
    expect(sample(text, 'stanzagate_http_requests_total{route="/say",method="POST",status="201"}')).toBe(N);
    expect(sample(text, 'stanzagate_deliveries_total{outcome="sent"}')).toBe(N);
    expect(sample(text, 'stanzagate_stanzas_total{direction="sent",kind="message"}')).toBe(N);
    expect(sample(text, "stanzagate_confirmation_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'stanzagate_xmpp_link_state{state="online"}')).toBe(1);
    expect(sample(text, "stanzagate_xmpp_connects_total")).toBe(1);
    expect(sample(text, "stanzagate_xmpp_last_connect_timestamp_seconds")).toBeGreaterThan(Date.now() / 1000 - 600);
  });

  test("counts component_http's webhook calls by outcome, with their latency", async () => {
    hook.answer = (req) => json({ body: `echo ${String(req.json.body)}` });
    for (const word of ["one", "two", "three"]) {
      await bed.bob.send(xml("message", { to: `echo@${bed.server.componentDomain}`, type: "chat", id: word }, xml("body", {}, word)));
      await bed.bob.nextStanza(messageWithBody(`echo ${word}`));
    }
    const text = await scrape();
    expect(sample(text, 'stanzagate_component_http_webhook_calls_total{outcome="answered_2xx"}')).toBe(3);
    expect(sample(text, 'stanzagate_component_http_webhook_seconds_count{outcome="answered_2xx"}')).toBe(3);
    expect(sample(text, 'stanzagate_stanzas_total{direction="received",kind="message"}')).toBeGreaterThanOrEqual(3);
  });
});
