// post_msg without a server: request fields -> the <message/> mod_post_msg would send, and the
// routes.yaml checks. The real-server behaviour is in post_msg.test.ts.
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../../src/plugin-api/index.ts";
import { buildMessage, pathRecipient, resolveRecipient } from "../../../plugins/post_msg/message.ts";
import { readFields } from "../../../plugins/post_msg/request.ts";
import { loadConfig } from "../../../src/features/index.ts";
import { formatDiagnostics } from "../../../src/config/diagnostics.ts";
import { BUILTIN_PLUGINS } from "../../../plugins/index.ts";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

function gatewayError(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("expected a GatewayError");
}

const post = (type: string, body: string) =>
  new Request("http://localhost/msg", { method: "POST", headers: { "content-type": type }, body });

describe("the message built from the fields", () => {
  test("is a chat message with the body and no id, as the original sent", () => {
    expect(buildMessage({ body: "hello" }).toString()).toBe('<message type="chat"><body>hello</body></message>');
  });

  test("keeps an empty body as an empty <body/> and sends no <body/> when the field is absent", () => {
    expect(buildMessage({ body: "" }).getChild("body")?.getText()).toBe("");
    expect(buildMessage({}).toString()).toBe('<message type="chat"/>');
  });

  test.each(["chat", "normal", "headline", "groupchat"])("accepts type %p", (type) => {
    expect(buildMessage({ type, body: "x" }).attrs.type).toBe(type);
  });

  test.each(["error", "foo", "Chat"])("refuses type %p with 400, listing the allowed types", (type) => {
    const err = gatewayError(() => buildMessage({ type, body: "x" }));
    expect(err.status).toBe(400);
    expect(err.details).toEqual({ field: "type", found: type, allowed: ["chat", "normal", "headline", "groupchat"] });
  });

  test("carries html as an XHTML-IM payload after the body", () => {
    expect(buildMessage({ body: "plain", html: "<p>rich</p>" }).toString()).toBe(
      '<message type="chat"><body>plain</body><html xmlns="http://jabber.org/protocol/xhtml-im"><body xmlns="http://www.w3.org/1999/xhtml"><p>rich</p></body></html></message>',
    );
  });

  test("refuses html that does not parse with 400 INVALID_MARKUP", () => {
    const err = gatewayError(() => buildMessage({ body: "x", html: "<p>open" }));
    expect([err.status, err.code, err.details.field]).toEqual([400, "INVALID_MARKUP", "html"]);
  });

  test("refuses a body XML cannot carry with 400 INVALID_XML_TEXT", () => {
    const err = gatewayError(() => buildMessage({ body: "bell \u0007" }));
    expect([err.status, err.code, err.details.field]).toEqual([400, "INVALID_XML_TEXT", "body"]);
  });
});

describe("the recipient", () => {
  test("without @host belongs to the default host, resource kept", () => {
    expect(resolveRecipient("bob", "example.com")).toBe("bob@example.com");
    expect(resolveRecipient("bob/phone", "example.com")).toBe("bob@example.com/phone");
  });

  test("is prepared as the server would: localpart and domain lowercased, resource as given", () => {
    expect(resolveRecipient("Bob@LocalHost/Phone", "x")).toBe("bob@localhost/Phone");
  });

  test("missing is 422 MISSING_RECIPIENT; not a JID is 422 INVALID_JID", () => {
    expect(gatewayError(() => resolveRecipient(undefined, "x")).code).toBe("MISSING_RECIPIENT");
    const invalid = gatewayError(() => resolveRecipient("bo b@@localhost", "x"));
    expect([invalid.status, invalid.code, invalid.details.to]).toEqual([422, "INVALID_JID", "bo b@@localhost"]);
  });

  test("in the path is percent-decoded", () => {
    expect(pathRecipient("bob%40example.com")).toBe("bob@example.com");
    expect(pathRecipient("")).toBeUndefined();
    expect(gatewayError(() => pathRecipient("%ZZ")).status).toBe(422);
  });
});

describe("the request formats", () => {
  test("text/plain, with or without parameters, is all body", async () => {
    expect(await readFields(post("text/plain", "hi"), 100)).toEqual({ body: "hi" });
    expect(await readFields(post("text/plain; charset=utf-8", "hi"), 100)).toEqual({ body: "hi" });
  });

  test("a form gives to, type, body and html; empty to and type count as absent", async () => {
    const fields = await readFields(post("application/x-www-form-urlencoded", "to=&type=&body=b&html=%3Cp%2F%3E&other=x"), 1000);
    expect(fields).toEqual({ to: undefined, type: undefined, body: "b", html: "<p/>" });
  });

  test("a form without any = (curl -d's default type) is 400, not an empty message as the original sent", async () => {
    await expect(readFields(post("application/x-www-form-urlencoded", "Server has crashed!"), 100)).rejects.toMatchObject({
      status: 400,
      code: "INVALID_BODY",
      details: { field: "body" },
    });
    expect(await readFields(post("application/x-www-form-urlencoded", ""), 100)).toEqual({
      to: undefined,
      type: undefined,
      body: undefined,
      html: undefined,
    });
  });

  test("JSON gives to, type and body, and ignores html as the original did", async () => {
    const fields = await readFields(post("application/json", JSON.stringify({ to: "bob", type: "normal", body: "b", html: "<p/>" })), 1000);
    expect(fields).toEqual({ to: "bob", type: "normal", body: "b" });
  });

  test("JSON fields must be strings (null is absent)", async () => {
    expect(await readFields(post("application/json", '{"body":null}'), 100)).toEqual({ to: undefined, type: undefined, body: undefined });
    const err = await readFields(post("application/json", '{"body":5}'), 100).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "INVALID_BODY", details: { field: "body", found: "number" } });
  });

  test("malformed JSON is 400, another Content-Type 415, a body past the limit 413", async () => {
    await expect(readFields(post("application/json", "{nope"), 100)).rejects.toMatchObject({ status: 400, code: "INVALID_JSON" });
    await expect(readFields(post("application/xml", "<x/>"), 100)).rejects.toMatchObject({ status: 415 });
    await expect(readFields(post("text/plain", "x".repeat(101)), 100)).rejects.toMatchObject({ status: 413 });
  });
});

describe("routes.yaml", () => {
  const head = "xmpp: { server: xmpp://127.0.0.1:5347, component: gw.example.com, secret: s, host: example.com }\nstore: ':memory:'\n";
  const load = (rest: string) => loadConfig(head + rest, {}, BUILTIN_PLUGINS);

  test("refuses a post_msg route without auth, as mod_post_msg always required a login", () => {
    const result = load("routes:\n  - plugin: post_msg\n");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatDiagnostics("routes.yaml", result.diagnostics)).toContain("plugin post_msg needs an auth scheme");
  });

  test("refuses a fallback_from outside the component's domain, at its line in routes.yaml", () => {
    const auth = "auth:\n  users: { kind: xmpp }\n";
    const route = (from: string) =>
      load(`${auth}routes:\n  - plugin: post_msg\n    auth: users\n    options: { fallback_from: ${from} }\n`);
    const bad = route("notify@example.com");
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(formatDiagnostics("routes.yaml", bad.diagnostics)).toContain(
        'routes.yaml:8:31  error  routes[0].options.fallback_from  "notify@example.com" is not at the component\'s domain gw.example.com: the server would close the component stream on the first message (use gw.example.com or name@gw.example.com)',
      );
    }
    for (const ok of ["gw.example.com", "notify@gw.example.com", "Notify@GW.example.com/bot"]) expect(route(ok).ok).toBe(true);
  });

  test("serves /msg by default and checks fallback_from is a JID", () => {
    const auth = "auth:\n  users: { kind: xmpp }\n";
    const ok = load(auth + "routes:\n  - plugin: post_msg\n    auth: users\n");
    expect(ok.ok && ok.config.routes[0]?.path).toBe("/msg");
    const bad = load(auth + "routes:\n  - plugin: post_msg\n    auth: users\n    options: { fallback_from: 'not a jid' }\n");
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(formatDiagnostics("routes.yaml", bad.diagnostics)).toContain("routes[0].options.fallback_from");
  });
});

describe("the plugin's code", () => {
  // The contract (src/plugin-api/index.ts) and the kit (src/kit/, where xml and parseXml live) only.
  test("builds and parses XML through the plugin API only (no direct ltx or @xmpp/xml import)", () => {
    const dir = join(import.meta.dir, "../../../plugins/post_msg");
    const imported = readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) => [...readFileSync(join(dir, f), "utf8").matchAll(/^import[^;]*? from "([^"]+)";/gms)].map((m) => m[1]));
    const outside = [...new Set(imported)].filter((spec) => !spec?.startsWith("./") && !spec?.startsWith("../../src/kit/")).sort();
    expect(outside).toEqual(["../../src/plugin-api/index.ts", "@sinclair/typebox"]);
  });
});
