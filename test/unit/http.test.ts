// The HTTP layer in-process: every answer it gives is JSON from the catalogue, whatever the Host,
// the method, the size, the depth or the encoding of the request.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createGateway, type Gateway } from "../../src/app.ts";
import { createHttpApp } from "../../src/http/app.ts";
import { GatewayError } from "../../src/plugin-api/errors.ts";
import { MAX_JSON_DEPTH, readText } from "../../src/kit/request-body.ts";
import { createLogger, silentLogger } from "../../src/log.ts";
import { loadTestConfig } from "../helpers/gateway.ts";

const MAX_BODY = 200_000;
type Body = NonNullable<RequestInit["body"]>;
let gateway: Gateway;

beforeAll(async () => {
  // Never listens nor connects: handle() answers in-process, declarative routes queue (202).
  const config = loadTestConfig(`
xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }
http: { listen: "127.0.0.1:0", max_body_bytes: ${MAX_BODY} }
store: ":memory:"
auth:
  ops: { kind: header, value: "Bearer t" }
routes:
  - plugin: post_msg
    path: /msg
    auth: ops
  - path: /typed
    method: POST
    body: { to: jid, text: string }
    send: '<message to="{{ body.to }}"><body>{{ body.text }}</body></message>'
  - path: /notify
    method: POST
    send: '<message to="bob@localhost"><body>{{ body.text }}</body></message>'
`);
  gateway = await createGateway(config, { log: silentLogger });
});

afterAll(() => gateway.stop({ flushTimeoutMs: 0 }));

const post = (url: string, body: Body, type = "application/json", headers: Record<string, string> = {}) =>
  gateway.handle(new Request(url, { method: "POST", body, headers: { "content-type": type, authorization: "Bearer t", ...headers } }));

describe("any Host header routes", () => {
  for (const host of ["gw", "a", "abc", "1.2", "stanzagate.example"]) {
    test(`Host: ${host}`, async () => {
      const res = await gateway.handle(new Request(`http://${host}/healthz`));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "alive" });
      expect((await post(`http://${host}/notify`, "hi", "text/plain")).status).toBe(202);
    });
  }
});

describe("methods", () => {
  test("a method some route uses, on a path that does not take it, is 405 with Allow", async () => {
    const res = await gateway.handle(new Request("http://gw/healthz", { method: "POST" }));
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    expect(await res.json()).toEqual({
      error: "/healthz does not accept POST",
      code: "METHOD_NOT_ALLOWED",
      method: "POST",
      allow: ["GET", "HEAD", "OPTIONS"],
    });
  });

  test("a method no route uses is 501", async () => {
    for (const method of ["PROPFIND", "PUT", "TRACE"]) {
      const res = await gateway.handle(new Request("http://gw/notify", { method }));
      expect(res.status).toBe(501);
      expect(await res.json()).toEqual({ error: `No route of this gateway uses ${method}`, code: "METHOD_NOT_IMPLEMENTED", method });
    }
  });

  test("an unknown path is still 404", async () => {
    expect((await gateway.handle(new Request("http://gw/nowhere"))).status).toBe(404);
  });
});

describe("bodies over http.max_body_bytes are a JSON 413", () => {
  const big = "x".repeat(MAX_BODY + 1);
  const tooLarge = { error: `Body larger than ${MAX_BODY} bytes`, code: "BODY_TOO_LARGE", max_bytes: MAX_BODY };

  test("with Content-Length, before the body is read", async () => {
    const res = await post("http://gw/notify", big, "text/plain", { "content-length": String(big.length) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual(tooLarge);
  });

  test("streamed without Content-Length (chunked), to every route kind", async () => {
    for (const path of ["/notify", "/msg/bob"]) {
      const body = new Blob([big]).stream();
      const res = await post(`http://gw${path}`, body, "text/plain");
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual(tooLarge);
    }
  });
});

describe("JSON nested deeper than MAX_JSON_DEPTH is 400 INVALID_JSON", () => {
  // 60,000 levels in 120 kB: under every limit here, so depth is the only problem.
  const deep = '{"a":' + "[".repeat(60_000) + "]".repeat(60_000) + "}";
  const refused = { error: "Body is not valid JSON", code: "INVALID_JSON", reason: `nested deeper than ${MAX_JSON_DEPTH} levels` };
  // /typed, whose body schema recursed into the value, answered 500 and logged nothing.
  for (const path of ["/typed", "/notify", "/msg/bob"]) {
    test(`${path}: 60,000 levels`, async () => {
      const res = await post(`http://gw${path}`, deep);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual(refused);
    });
  }

  test("brackets inside strings do not count, nor do escaped quotes end them", async () => {
    const text = `\\"${"[".repeat(500)}`;
    const res = await post("http://gw/typed", JSON.stringify({ to: "bob@localhost", text }));
    expect(res.status).toBe(202);
  });
});

describe("text must decode in its charset (UTF-8 unless Content-Type says otherwise)", () => {
  const latin1 = new Uint8Array([0x68, 0xe9]); // "hé" in ISO-8859-1; not UTF-8
  const invalid = {
    error: "Body is not valid text in its declared charset (UTF-8 unless Content-Type says otherwise)",
    code: "INVALID_ENCODING",
    charset: "utf-8",
  };

  for (const path of ["/notify", "/msg/bob"]) {
    test(`${path}: non-UTF-8 bytes are 400, never U+FFFD`, async () => {
      const res = await post(`http://gw${path}`, latin1, "text/plain");
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual(invalid);
    });

    test(`${path}: a percent-encoded form value that is not UTF-8 is 400`, async () => {
      const res = await post(`http://gw${path}`, "body=h%E9", "application/x-www-form-urlencoded");
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual(invalid);
    });

    test(`${path}: a declared charset is honoured`, async () => {
      expect((await post(`http://gw${path}`, latin1, "text/plain; charset=iso-8859-1")).status).toBe(202);
    });
  }

  test("readText decodes by the declared charset", async () => {
    const request = (type: string, body: Body) => new Request("http://gw/", { method: "POST", body, headers: { "content-type": type } });
    expect(await readText(request("text/plain; charset=ISO-8859-1", latin1), 10)).toBe("hé");
    expect(await readText(request('text/plain; charset="utf-8"', "hé"), 10)).toBe("hé");
    await expect(readText(request("text/plain; charset=x-klingon", "a"), 10)).rejects.toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
  });
});

describe("an unexpected error", () => {
  test("is a JSON 500 and logged at error level with its stack", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger({ write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    const boom = () => {
      throw new Error("boom");
    };
    const app = createHttpApp({
      routes: [{ method: "GET", path: "/boom", handler: boom }],
      cors: false,
      maxBodyBytes: MAX_BODY,
      log,
    });
    const res = await app.handle(new Request("http://gw/boom"), "local");
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: "Internal error", code: "INTERNAL" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "error", msg: "unhandled HTTP error", path: "/boom", err: { name: "Error", message: "boom" } });
    expect(String((lines[0]!.err as { stack?: string }).stack)).toContain("boom");
  });
});

describe("what a route's handler answers besides a Response (review 33)", () => {
  const appWith = (handler: () => unknown) => {
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger({ write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    const app = createHttpApp({
      routes: [{ method: "GET", path: "/odd", handler: handler as () => Response }],
      cors: false,
      maxBodyBytes: MAX_BODY,
      log,
    });
    return { lines, ask: () => app.handle(new Request("http://gateway.test/odd"), "local") };
  };

  test("a NOT_FOUND error that escapes it is the path's 404, unlogged, as Elysia answered it", async () => {
    const { lines, ask } = appWith(() => {
      throw new GatewayError("NOT_FOUND");
    });
    const res = await ask();
    expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([404, "NOT_FOUND"]);
    expect(lines).toEqual([]);
  });

  test("something that is not a Response is a logged 500, never handed to the server", async () => {
    const { lines, ask } = appWith(() => Promise.resolve("not a Response"));
    const res = await ask();
    expect(res).toBeInstanceOf(Response);
    expect([res.status, await res.json()]).toEqual([500, { error: "Internal error", code: "INTERNAL" }]);
    expect(lines[0]).toMatchObject({ level: "error", msg: "unhandled HTTP error", path: "/odd" });
  });
});

describe("paths the router cannot hold", () => {
  test("fail when the app is built, not at every request after the first (check refuses them first)", () => {
    const ok = () => new Response("ok");
    const build = () =>
      createHttpApp({
        routes: [
          { method: "POST", path: "/:svc/up", handler: ok },
          { method: "POST", path: "/:tenant/alert", handler: ok },
        ],
        cors: false,
        maxBodyBytes: MAX_BODY,
        log: createLogger({ write: () => undefined }),
      });
    expect(build).toThrow(/different parameter name/);
  });
});

describe("a path parameter that is not percent-encoded UTF-8", () => {
  test("is 400 BAD_REQUEST naming the parameter, and the route's handler never runs", async () => {
    const seen: Array<Record<string, string>> = [];
    const app = createHttpApp({
      routes: [{ method: "POST", path: "/:topic", handler: ({ params }) => (seen.push(params), new Response("published")) }],
      cors: false,
      maxBodyBytes: MAX_BODY,
      log: createLogger({ write: () => undefined }),
    });
    for (const path of ["/%zz", "/%E9", "/a%"]) {
      const res = await app.handle(new Request(`http://gw${path}`, { method: "POST", body: "x" }), "local");
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: "BAD_REQUEST", error: "path segment :topic is not valid percent-encoded UTF-8" });
    }
    const ok = await app.handle(new Request("http://gw/caf%C3%A9", { method: "POST", body: "x" }), "local");
    expect(await ok.text()).toBe("published");
    expect(seen).toEqual([{ topic: "café" }]);
  });
});
