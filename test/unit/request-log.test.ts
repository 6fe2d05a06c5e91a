// One log line per HTTP request: what was asked, how it ended and why, never a credential.
import { describe, expect, test } from "bun:test";
import { createLogger } from "../../src/log.ts";
import { BUILTIN_PLUGINS } from "../../plugins/index.ts";
import { loadConfig } from "../../src/features/index.ts";
import { OFFLINE_HEAD, offlineGateway } from "../helpers/offline-gateway.ts";

const TOKEN = "alice-token-0123456789";
const ROUTES = `
auth:
  users: { kind: bearer, tokens: [{ token: ${TOKEN}, name: alice }] }
routes:
  - name: notify
    path: /notify/:to
    auth: users
    send: '<message to="{{ params.to }}@example" type="chat"><body>{{ body.text }}</body></message>'
`;

describe("request logs", () => {
  test("a served request is one info line with route pattern, path, status, duration, client, identity and bytes", async () => {
    const gw = await offlineGateway(ROUTES);
    const res = await gw.request("/notify/bob?token=query-secret", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "text/plain", "content-length": "5" },
      body: "hello",
    });
    const body = await res.text();
    const lines = gw.requestLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "info",
      route: "/notify/:to",
      method: "POST",
      path: "/notify/bob",
      status: 202,
      client: "local",
      identity: "alice",
      bytes_in: 5,
      bytes_out: body.length,
    });
    expect(lines[0]?.duration_ms).toBeNumber();
    expect(lines[0]).not.toHaveProperty("error");
  });

  test("a path segment a :token parameter matches is logged as …: a webhook URL whose last segment is its secret", async () => {
    const gw = await offlineGateway(
      `routes:\n  - path: /hooks/:token\n    send: '<message to="bob@example" type="chat"><body>x</body></message>'\n`,
    );
    await gw.request("/hooks/s3cret-webhook-token", { method: "POST" });
    expect(gw.requestLines()[0]).toMatchObject({ route: "/hooks/:token", path: "/hooks/…" });
  });

  test("a file's id is logged as …: the id is what lets anyone fetch the file, as a webhook's token lets anyone post", async () => {
    const gw = await offlineGateway(
      `http: { public_url: "https://gw.example.org" }\nroutes:\n  - path: /x\n    send: '<message to="bob@example" type="chat"><body>x</body></message>'\n`,
    );
    await gw.request(`/files/${"5d83".repeat(8)}/a.png`);
    expect(gw.requestLines()[0]).toMatchObject({ route: "/files/:id/:name", path: "/files/…/a.png" });
  });

  test("a body streamed without Content-Length (chunked) still logs who authenticated", async () => {
    const gw = await offlineGateway(ROUTES);
    const body = new Blob(["hello"]).stream();
    const res = await gw.request("/notify/bob", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "text/plain" },
      body,
    });
    expect(res.status).toBe(202);
    expect(gw.requestLines()[0]).toMatchObject({ route: "/notify/:to", status: 202, client: "local", identity: "alice" });
  });

  test("a 4xx line carries the error code and sentence of its body", async () => {
    const gw = await offlineGateway(ROUTES);
    await gw.request("/notify/bob", { method: "POST", headers: { authorization: "Bearer wrong-token-0123456789" }, body: "x" });
    await gw.request("/nowhere");
    const [failed, missing] = gw.requestLines();
    expect(failed).toMatchObject({ status: 401, code: "AUTH_FAILED", error: expect.any(String), route: "/notify/:to" });
    expect(failed).not.toHaveProperty("identity");
    expect(missing).toMatchObject({ status: 404, code: "NOT_FOUND", error: "Not found", route: "(unmatched)" });
  });

  test("never contains a token, a password or an Authorization value, not even from the query string", async () => {
    const gw = await offlineGateway(ROUTES);
    await gw.request("/notify/bob?password=hunter2", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "text/plain" },
      body: "x",
    });
    await gw.request("/notify/bob", { method: "POST", headers: { authorization: "Bearer guessed-token-0123456789" }, body: "x" });
    await gw.request("/notify/bob", { method: "POST", headers: { authorization: `Basic ${btoa("alice:hunter2")}` }, body: "x" });
    const all = JSON.stringify(gw.logs);
    for (const secret of [TOKEN, "guessed-token", "hunter2", btoa("alice:hunter2"), "s3cret-component"]) expect(all).not.toContain(secret);
    expect(gw.requestLines()).toHaveLength(3);
  });

  test("health checks and scrapes are logged under their own path: at debug when they succeed, at info when they fail", async () => {
    const probe = async (level: "info" | "debug") => {
      const gw = await offlineGateway(ROUTES, level);
      for (const path of ["/healthz", "/health", "/readyz", "/metrics"]) await gw.request(path);
      return gw.requestLines().map((l) => [l.level, l.route, l.status, l.error]);
    };
    expect(await probe("info")).toEqual([
      ["info", "/health", 503, "status degraded"],
      ["info", "/readyz", 503, "status degraded"],
    ]);
    expect(await probe("debug")).toEqual([
      ["debug", "/healthz", 200, undefined],
      ["info", "/health", 503, "status degraded"],
      ["info", "/readyz", 503, "status degraded"],
      ["debug", "/metrics", 200, undefined],
    ]);
  });
});

describe("log.format", () => {
  test("text writes one readable line: time, level, message, key=value pairs", () => {
    const lines: string[] = [];
    createLogger({ format: "text", write: (l) => void lines.push(l) }).info("http request", {
      route: "/notify/:to",
      status: 201,
      error: "Body too large",
    });
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z INFO  http request route=\/notify\/:to status=201 error="Body too large"$/);
  });

  test("a writer that throws (a full disk) loses the line, not the caller", () => {
    const log = createLogger({
      write: () => {
        throw new Error("ENOSPC: no space left on device");
      },
    });
    expect(() => log.error("still here")).not.toThrow();
  });

  test("is checked by the schema", () => {
    const result = loadConfig(`${OFFLINE_HEAD}log: { format: yaml }\n`, {}, BUILTIN_PLUGINS);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.diagnostics[0]).toMatchObject({
        line: 7,
        col: 16,
        path: "log.format",
        message: 'expected "json" or "text", found "yaml"',
      });
  });
});
