// The routes answered without Elysia (src/http/direct-routes.ts): what it takes, and what it
// leaves to Elysia so that every answer stays the one Elysia's router gives.
import { describe, expect, test } from "bun:test";
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
