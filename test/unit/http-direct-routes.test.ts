// The routes answered without Elysia (src/http/direct-routes.ts): what it takes, and what it
// leaves to Elysia so that every answer stays the one Elysia's router gives.
import { describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import fc from "fast-check";
import { directRoutes, type Respond } from "../../src/http/direct-routes.ts";

const answer =
  (name: string): Respond =>
  () =>
    Promise.resolve(new Response(name));

const routes = directRoutes([
  { method: "POST", path: "/msg/:user", respond: answer("post_msg") },
  { method: "POST", path: "/gotify/message", respond: answer("gotify") },
  { method: "PUT", path: "/:topic/:sequence_id", respond: answer("ntfy update") },
  { method: "POST", path: "/:topic", respond: answer("ntfy publish") },
  { method: "GET", path: "/files/:name?", respond: answer("optional") },
  { method: "GET", path: "/file/:id", respond: answer("file") },
  { method: "HEAD", path: "/file/:id", respond: answer("file") },
]);

async function found(method: string, url: string) {
  const route = routes.find(new Request(url, { method }));
  return route && { answer: await (await route.respond(new Request(url), route.params)).text(), params: route.params };
}

describe("a request the direct routes answer", () => {
  test("its route, with the path's parameters", async () => {
    expect(await found("POST", "http://gateway.test/msg/bob")).toEqual({ answer: "post_msg", params: { user: "bob" } });
  });

  test("the query is not part of the path", async () => {
    expect(await found("POST", "http://gateway.test/msg/bob?token=x")).toEqual({ answer: "post_msg", params: { user: "bob" } });
  });

  test("a parameter is percent-decoded; one that is not UTF-8 is null (app.ts refuses it)", async () => {
    expect((await found("POST", "http://gateway.test/msg/b%C3%B6b"))?.params).toEqual({ user: "böb" });
    expect((await found("POST", "http://gateway.test/msg/%zz"))?.params.user).toBeNull();
  });

  test("a fixed path beats a parameter of the same method", async () => {
    expect((await found("POST", "http://gateway.test/gotify/message"))?.answer).toBe("gotify");
    expect((await found("POST", "http://gateway.test/alerts"))?.answer).toBe("ntfy publish");
  });
});

describe("a request left to Elysia", () => {
  test("a path whose tightest pattern has no route of this method (Elysia's 405), even where a looser one has", async () => {
    expect(await found("PUT", "http://gateway.test/gotify/message")).toBeUndefined();
    expect(await found("GET", "http://gateway.test/msg/bob")).toBeUndefined();
  });

  test("OPTIONS and HEAD, even where a route registers HEAD (Elysia drops the body)", async () => {
    expect(await found("OPTIONS", "http://gateway.test/msg/bob")).toBeUndefined();
    expect(await found("HEAD", "http://gateway.test/msg/bob")).toBeUndefined();
    expect(await found("HEAD", "http://gateway.test/file/1")).toBeUndefined();
    expect((await found("GET", "http://gateway.test/file/1"))?.answer).toBe("file");
  });

  test("a trailing slash, and a pattern with an optional parameter", async () => {
    expect(await found("POST", "http://gateway.test/msg/bob/")).toBeUndefined();
    expect(await found("GET", "http://gateway.test/files/a")).toBeUndefined();
  });

  test("a path no route serves", async () => {
    expect(await found("POST", "http://gateway.test/a/b/c")).toBeUndefined();
  });
});

// Review 33: spellings Elysia routes a path by that the first tree did not hold.
describe("every other spelling Elysia routes a path by is left to it", () => {
  const spelled = directRoutes([
    { method: "POST", path: "/:topic", respond: answer("ntfy publish") },
    { method: "POST", path: "/tür", respond: answer("declarative") },
    { method: "POST", path: "/alerts/:room?", respond: answer("optional") },
    { method: "POST", path: "/msg", respond: answer("post_msg base") },
    { method: "POST", path: "/msg/*", respond: answer("post_msg tail") },
    { method: "GET", path: "/files/list", respond: answer("list") },
    { method: "GET", path: "/files/*", respond: answer("file") },
  ]);
  const find = (method: string, path: string) => spelled.find(new Request(`http://gateway.test${path}`, { method }));

  test("a fixed path asked percent-encoded (a client always sends /tür so)", () => {
    expect(find("POST", "/t%C3%BCr")).toBeUndefined();
  });

  test("the short form of an optional parameter", () => {
    expect(find("POST", "/alerts")).toBeUndefined();
  });

  test("a fixed path's loose trailing slash, which a wildcard beside it would take", () => {
    expect(find("POST", "/msg/")).toBeUndefined();
    expect(find("GET", "/files/list/")).toBeUndefined();
  });

  test("while the routes themselves are still answered directly", () => {
    expect(find("POST", "/msg/bob")?.params).toEqual({ "*": "bob" });
    expect(find("GET", "/files/a.png")?.params).toEqual({ "*": "a.png" });
    expect(find("POST", "/alerts2")?.params).toEqual({ topic: "alerts2" });
  });
});

describe("whatever the path, a route answered directly is the one Elysia gives it", () => {
  const table: Array<{ method: string; path: string }> = [
    { method: "POST", path: "/:topic" },
    { method: "PUT", path: "/:topic/:sequence_id" },
    { method: "GET", path: "/:topic/json" },
    { method: "POST", path: "/tür" },
    { method: "POST", path: "/sp ace" },
    { method: "POST", path: "/a@b/c" },
    { method: "POST", path: "/alerts/:room?" },
    { method: "POST", path: "/msg" },
    { method: "POST", path: "/msg/*" },
    { method: "GET", path: "/files/list" },
    { method: "GET", path: "/files/*" },
    { method: "POST", path: "/gotify/message" },
    { method: "GET", path: "/v1/health" },
  ];
  const named = (route: { method: string; path: string }) => `${route.method} ${route.path}`;
  const direct = directRoutes(table.map((r) => ({ ...r, respond: answer(named(r)) })));
  const elysia = new Elysia().onError(() => new Response("(none)"));
  for (const r of table) elysia.route(r.method, r.path, ({ params }) => Response.json({ name: named(r), params }));

  test("drawn paths: segments, escapes, non-ASCII, empty segments, trailing slashes", async () => {
    const segment = fc.constantFrom(
      "msg",
      "alerts",
      "files",
      "list",
      "gotify",
      "message",
      "v1",
      "health",
      "json",
      "tür",
      "t%C3%BCr",
      "sp%20ace",
      "a%40b",
      "c",
      "x",
      "%zz",
      "%2F",
      "",
      "7",
    );
    const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join("/")}`);
    const method = fc.constantFrom("POST", "PUT", "GET");
    await fc.assert(
      fc.asyncProperty(method, path, async (m, p) => {
        const request = new Request(`http://gateway.test${p}`, { method: m });
        const route = direct.find(request);
        if (!route) return;
        const theirs = (await (await elysia.handle(new Request(`http://gateway.test${p}`, { method: m }))).json()) as {
          name: string;
          params?: Record<string, string>;
        };
        // Elysia gives a route without parameters none at all; app.ts hands its handler `{}`.
        expect({ name: await (await route.respond(request, route.params)).text(), params: route.params }).toEqual({
          ...theirs,
          params: theirs.params ?? {},
        });
      }),
      { numRuns: 2000 },
    );
  });
});
