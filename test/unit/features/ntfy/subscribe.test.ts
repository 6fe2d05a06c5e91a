// preset: ntfy with subscribe:, driven in-process: what ntfy's subscribe API answers a poll and a
// stream, each bad request in ntfy's error shape, and read and write access kept apart.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { FAKE_HEAD, fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";

const ROUTES = `
auth:
  users:
    kind: bearer
    tokens:
      - { name: reader, token: "reader-token-0123456789" }
      - { name: writer, token: "writer-token-0123456789" }
routes:
  - preset: ntfy
    to: ops@localhost
    subscribe: { keepalive_s: 1, max_topics: 5 }
  - preset: ntfy
    path: /private
    auth: users
    topics: { alerts: ops@localhost }
    subscribe: {}
    access:
      alerts: { read: [reader], write: [writer] }
`;

let gw: FakeGateway;
beforeAll(async () => void (gw = await fakeGateway(ROUTES)));
afterAll(() => gw.stop());

const basic = (user: string) => ({ authorization: `Bearer ${user}-token-0123456789` });
const lines = async (r: Response) => (await r.text()).split("\n").filter((l) => l !== "");
/** A stream's events, one at a time, whatever chunks they come in. */
function events(r: Response) {
  const reader = r.body?.getReader();
  if (!reader) throw new Error("no body");
  const queued: Array<Record<string, unknown>> = [];
  let rest = "";
  return {
    async next(): Promise<Record<string, unknown>> {
      while (queued.length === 0) {
        const lines = (rest + new TextDecoder().decode((await reader.read()).value)).split("\n");
        rest = lines.pop() ?? "";
        queued.push(...lines.filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>));
      }
      return queued.shift() as Record<string, unknown>;
    },
    /** The next `message` event, past keepalives. */
    async message(): Promise<Record<string, unknown>> {
      for (;;) {
        const e = await this.next();
        if (e.event === "message") return e;
      }
    },
    cancel: () => reader.cancel(),
  };
}

const publish = async (path: string, body: string, headers: Record<string, string> = {}) =>
  (await (await gw.request(path, { method: "POST", body, headers })).json()) as { id: string; time: number };

describe("polling (poll=1)", () => {
  test("answers the cached messages as ntfy's JSON lines, then ends; the publisher's id is the cursor", async () => {
    const first = await publish("/poll1", "one", { Title: "t1", Tags: "a,b", Priority: "4" });
    await publish("/poll1", "two");
    const r = await gw.request("/poll1/json?poll=1");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    const events = (await lines(r)).map((l) => JSON.parse(l));
    expect(events.map((e) => [e.event, e.topic, e.message])).toEqual([
      ["message", "poll1", "one"],
      ["message", "poll1", "two"],
    ]);
    expect(events[0]).toMatchObject({ id: first.id, time: first.time, title: "t1", tags: ["a", "b"], priority: 4 });
    expect(Object.keys(events[0])).not.toContain("source");
    const after = await gw.request(`/poll1/json?poll=1&since=${first.id}`);
    expect((await lines(after)).map((l) => JSON.parse(l).message)).toEqual(["two"]);
  });

  test("the publish answer's expires is the cached event's (topics.cache_duration_s), as ntfy answers both", async () => {
    const answered = (await (await gw.request("/poll3", { method: "POST", body: "kept" })).json()) as { id: string; expires: number };
    const [cached] = (await lines(await gw.request("/poll3/json?poll=1"))).map((l) => JSON.parse(l));
    expect(cached).toMatchObject({ id: answered.id, expires: answered.expires });
  });

  test("a withdrawal is a message_delete event with the sequence id", async () => {
    await publish("/poll2/seq-1", "to be withdrawn");
    expect((await gw.request("/poll2/seq-1", { method: "DELETE" })).status).toBe(200);
    const events = (await lines(await gw.request("/poll2/json?poll=1"))).map((l) => JSON.parse(l));
    expect(events.map((e) => [e.event, e.sequence_id])).toEqual([
      ["message", "seq-1"],
      ["message_delete", "seq-1"],
    ]);
  });

  test("since= as a duration, several topics, the filters, /raw and /sse", async () => {
    await publish("/multi1", "alpha", { Tags: "x" });
    await publish("/multi2", "beta\nline two", { Priority: "5" });
    const both = await gw.request("/multi1,multi2/json?poll=1&since=10m");
    expect((await lines(both)).map((l) => JSON.parse(l).message)).toEqual(["alpha", "beta\nline two"]);
    expect(await (await gw.request("/multi1,multi2/raw?poll=1&priority=high,urgent")).text()).toBe("beta line two\n");
    expect(await (await gw.request("/multi1,multi2/json?poll=1&tags=x")).text()).toContain('"message":"alpha"');
    const sse = await (await gw.request("/multi1/sse?poll=1")).text();
    expect(sse).toMatch(
      /^data: \{"id":"[A-Za-z0-9]{12}","time":\d+,"expires":\d+,"event":"message","topic":"multi1","message":"alpha","tags":\["x"\]\}\n\n$/,
    );
  });
});

describe("streaming", () => {
  test("/json sends open, then each message as it is published, and keepalives while idle", async () => {
    const r = await gw.request("/live/json");
    expect(r.status).toBe(200);
    const stream = events(r);
    expect(await stream.next()).toMatchObject({ event: "open", topic: "live" });
    const sent = await publish("/live", "hello");
    expect(await stream.message()).toMatchObject({ id: sent.id, event: "message", message: "hello" });
    // Nothing more is published: the next event is a keepalive (keepalive_s: 1).
    expect(await stream.next()).toMatchObject({ event: "keepalive", topic: "live" });
    await stream.cancel();
  });

  test("/health counts the live subscribers under ntfy topics", async () => {
    const stream = events(await gw.request("/counted/json"));
    await stream.next();
    const health = (await (await gw.request("/health")).json()) as { plugins?: Array<Record<string, unknown>> };
    expect(health.plugins?.find((p) => p.name === "ntfy topics")).toEqual({ name: "ntfy topics", subscribers: 1, dropped: 0 });
    await stream.cancel();
  });

  test("a stream outlives a reload: what the new configuration's route publishes reaches it", async () => {
    const stream = events(await gw.request("/reloaded/json"));
    expect(await stream.next()).toMatchObject({ event: "open" });
    await gw.gateway.reload(loadTestConfig(FAKE_HEAD + ROUTES.replace("keepalive_s: 1", "keepalive_s: 2")));
    const sent = await publish("/reloaded", "after the reload");
    expect(await stream.message()).toMatchObject({ id: sent.id, message: "after the reload" });
    await stream.cancel();
  });
});

describe("bad requests, in ntfy's words", () => {
  test("a malformed since is 40008", async () => {
    const r = await gw.request("/x/json?poll=1&since=yesterday");
    expect([r.status, ((await r.json()) as { code: number }).code]).toEqual([400, 40008]);
  });

  test("more topics than max_topics (10,000 in one URL) is one 40009", async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `t${i}`).join(",");
    const r = await gw.request(`/${many}/json?poll=1`);
    const body = (await r.json()) as { code: number; error: string };
    expect([r.status, body.code]).toEqual([400, 40009]);
    expect(body.error).toContain("10000 topics in one subscription, at most 5");
  });

  test("a topic the route does not serve is 40401; /ws without an upgrade is 40016", async () => {
    expect(((await (await gw.request("/private/other/json?poll=1", { headers: basic("reader") })).json()) as { code: number }).code).toBe(
      40401,
    );
    expect(((await (await gw.request("/x/ws")).json()) as { code: number }).code).toBe(40016);
  });
});

describe("read and write access per topic (access:)", () => {
  test("the writer may publish but not read; the reader may read but not publish; no credentials is 40101", async () => {
    expect((await gw.request("/private/alerts", { method: "POST", body: "x", headers: basic("writer") })).status).toBe(200);
    const denied = await gw.request("/private/alerts", { method: "POST", body: "x", headers: basic("reader") });
    expect([denied.status, ((await denied.json()) as { code: number }).code]).toEqual([403, 40301]);
    const read = await gw.request("/private/alerts/json?poll=1", { headers: basic("reader") });
    expect((await lines(read)).map((l) => JSON.parse(l).message)).toEqual(["x"]);
    const writerReads = await gw.request("/private/alerts/json?poll=1", { headers: basic("writer") });
    expect(((await writerReads.json()) as { code: number }).code).toBe(40301);
    const anonymous = await gw.request("/private/alerts/json?poll=1");
    expect(((await anonymous.json()) as { code: number }).code).toBe(40101);
  });

  test("ntfy's ?auth= carries the credentials of a subscription too", async () => {
    const auth = Buffer.from(basic("reader").authorization).toString("base64url");
    expect((await gw.request(`/private/alerts/json?poll=1&auth=${auth}`)).status).toBe(200);
  });
});
