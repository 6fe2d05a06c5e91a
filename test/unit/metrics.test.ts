// /metrics: Prometheus text exposition, counts that match what the requests did, bounded labels,
// its own auth scheme or none, and the facility plugins record through.
import { describe, expect, test } from "bun:test";
import { createMetrics } from "../../src/metrics.ts";
import { offlineGateway, sample } from "../helpers/offline-gateway.ts";

const ROUTES = `
auth:
  ops: { kind: bearer, tokens: [{ token: scrape-token-0123456789, name: prometheus }] }
  users: { kind: bearer, tokens: [{ token: alice-token-0123456789, name: alice }] }
routes:
  - name: notify
    path: /notify/:to
    auth: users
    send: '<message to="{{ params.to }}@example" type="chat"><body>{{ body.text }}</body></message>'
`;
const ALICE = { authorization: "Bearer alice-token-0123456789", "content-type": "text/plain" };

describe("GET /metrics", () => {
  test("after N requests the request and delivery counters say N, labelled by the route's pattern", async () => {
    const gw = await offlineGateway(ROUTES);
    const N = 7;
    for (let i = 0; i < N; i++)
      expect((await gw.request(`/notify/user${i}`, { method: "POST", headers: ALICE, body: "hi" })).status).toBe(202);
    const text = await gw.scrape();
    expect(sample(text, 'stanzagate_http_requests_total{route="/notify/:to",method="POST",status="202"}')).toBe(N);
    expect(sample(text, 'stanzagate_http_request_duration_seconds_count{route="/notify/:to",method="POST"}')).toBe(N);
    expect(sample(text, 'stanzagate_deliveries_total{outcome="queued"}')).toBe(N);
    expect(sample(text, "stanzagate_outbox_depth")).toBe(N);
    expect(sample(text, "stanzagate_outbox_oldest_age_seconds")).toBeGreaterThanOrEqual(0);
    expect(text).not.toContain("user3");
  });

  test("answers in the text exposition format, with HELP and TYPE for each metric", async () => {
    const gw = await offlineGateway(ROUTES);
    const res = await gw.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
    const text = await res.text();
    for (const name of [
      "stanzagate_http_requests_total",
      "stanzagate_stanzas_total",
      "stanzagate_xmpp_link_state",
      "stanzagate_process_resident_memory_bytes",
      "stanzagate_event_loop_lag_seconds",
      "stanzagate_confirmation_seconds",
    ]) {
      expect(text).toContain(`# HELP ${name} `);
      expect(text).toMatch(new RegExp(`# TYPE ${name} (counter|gauge|histogram)`));
    }
    expect(sample(text, 'stanzagate_xmpp_link_state{state="offline"}')).toBe(1);
    expect(sample(text, 'stanzagate_xmpp_link_state{state="online"}')).toBe(0);
    expect(sample(text, "stanzagate_process_resident_memory_bytes")).toBeGreaterThan(1_000_000);
  });

  test("counts auth failures by scheme and code, and unmatched paths under one label", async () => {
    const gw = await offlineGateway(ROUTES);
    await gw.request("/notify/bob", { method: "POST", headers: { ...ALICE, authorization: "Bearer wrong-token-0123456789" }, body: "x" });
    await gw.request("/notify/bob", { method: "POST", body: "x" });
    for (const p of ["/nope/1", "/nope/2", "/nope/3"]) expect((await gw.request(p)).status).toBe(404);
    const text = await gw.scrape();
    expect(sample(text, 'stanzagate_auth_failures_total{scheme="users",code="AUTH_FAILED"}')).toBe(1);
    expect(sample(text, 'stanzagate_auth_failures_total{scheme="users",code="AUTH_REQUIRED"}')).toBe(1);
    expect(sample(text, 'stanzagate_http_requests_total{route="(unmatched)",method="GET",status="404"}')).toBe(3);
  });

  test("is served without any route's auth by default, and behind metrics.auth when it names a scheme", async () => {
    const open = await offlineGateway(ROUTES);
    expect((await open.request("/metrics")).status).toBe(200);
    const guarded = await offlineGateway(`metrics: { path: /internal/metrics, auth: ops }\n${ROUTES}`);
    const refused = await guarded.request("/internal/metrics");
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: "AUTH_REQUIRED" });
    const ok = await guarded.request("/internal/metrics", { headers: { authorization: "Bearer scrape-token-0123456789" } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("stanzagate_http_requests_total");
    expect((await guarded.request("/metrics")).status).toBe(404);
  });

  test("metrics.enabled: false serves nothing there", async () => {
    const gw = await offlineGateway(`metrics: { enabled: false }\n${ROUTES}`);
    expect((await gw.request("/metrics")).status).toBe(404);
  });
});

describe("the plugin metrics facility", () => {
  const metrics = () =>
    createMetrics({ outbox: () => ({ depth: 0, oldestQueuedAt: undefined }), link: () => ({ state: "offline", onlineSince: undefined }) });

  test("names a plugin's metrics stanzagate_<plugin>_<name>", async () => {
    const m = metrics();
    const calls = m.forPlugin("component_http").counter({ name: "webhook_calls_total", help: "Webhook calls.", labels: ["outcome"] });
    calls.inc({ outcome: "answered" });
    calls.inc({ outcome: "answered" });
    m.forPlugin("component_http").histogram({ name: "webhook_seconds", help: "Webhook latency.", labels: [] }).observe({}, 0.02);
    const text = await m.render();
    expect(sample(text, 'stanzagate_component_http_webhook_calls_total{outcome="answered"}')).toBe(2);
    expect(sample(text, "stanzagate_component_http_webhook_seconds_count")).toBe(1);
  });

  test("asking again for the same metric (a plugin restarted by a reload) keeps counting", async () => {
    const m = metrics();
    m.forPlugin("roster_admin").counter({ name: "syncs_total", help: "Syncs." }).inc();
    m.forPlugin("roster_admin").counter({ name: "syncs_total", help: "Syncs." }).inc();
    expect(sample(await m.render(), "stanzagate_roster_admin_syncs_total")).toBe(2);
  });
});

describe("the bot series", () => {
  const metrics = () =>
    createMetrics({ outbox: () => ({ depth: 0, oldestQueuedAt: undefined }), link: () => ({ state: "offline", onlineSince: undefined }) });

  test("count commands, HTTP calls and job runs under the labels they were given", async () => {
    const m = metrics();
    m.botCommand("house@gw.example", "temp <room>", "ok");
    m.botCommand("house@gw.example", "temp <room>", "ok");
    m.botCommand("house@gw.example", "(none)", "forbidden");
    m.botHttpCall("house@gw.example", "timeout", 0.3);
    m.botJob("house@gw.example", "pump", "sent");
    m.botJob("house@gw.example", "pump", "skipped_running");
    const text = await m.render();
    expect(sample(text, 'stanzagate_bot_commands_total{bot="house@gw.example",command="temp <room>",outcome="ok"}')).toBe(2);
    expect(sample(text, 'stanzagate_bot_commands_total{bot="house@gw.example",command="(none)",outcome="forbidden"}')).toBe(1);
    expect(sample(text, 'stanzagate_bot_http_calls_total{bot="house@gw.example",outcome="timeout"}')).toBe(1);
    expect(sample(text, 'stanzagate_bot_http_call_duration_seconds_sum{bot="house@gw.example"}')).toBeCloseTo(0.3);
    expect(sample(text, 'stanzagate_bot_job_runs_total{bot="house@gw.example",job="pump",outcome="sent"}')).toBe(1);
    expect(sample(text, 'stanzagate_bot_job_runs_total{bot="house@gw.example",job="pump",outcome="skipped_running"}')).toBe(1);
  });
});
