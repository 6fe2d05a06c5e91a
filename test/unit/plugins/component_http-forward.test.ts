// component_http's options as routes.yaml reads them, and one forwarded stanza end to end with a
// fake fetch and a fake link: what is sent, and what never is.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { BUILTIN_PLUGINS } from "../../../plugins/index.ts";
import { forward, type ForwardDeps } from "../../../plugins/component_http/forward.ts";
import { createLimiter } from "../../../src/kit/limiter.ts";
import { formatDiagnostics } from "../../../src/config/diagnostics.ts";
import { loadConfig } from "../../../src/features/index.ts";
import { createLogger } from "../../../src/log.ts";
import componentHttp from "../../../plugins/component_http/index.ts";
import type { StanzaHandler } from "../../../src/plugin-api/index.ts";
import type { ComponentHttpOptions } from "../../../plugins/component_http/options.ts";
import { fakeFetch } from "../../helpers/fake-fetch.ts";
import { fakePluginContext, fakeXmppPort } from "../../helpers/fake-plugin.ts";

const HEAD = `xmpp: { server: "xmpp://127.0.0.1:5347", component: gw.example, secret: s, host: example.org }\n`;

function check(routes: string): string {
  const result = loadConfig(HEAD + routes, {}, BUILTIN_PLUGINS);
  return result.ok ? "ok" : formatDiagnostics("routes.yaml", result.diagnostics);
}

describe("routes.yaml", () => {
  test("several routes need no path, and get the documented defaults", () => {
    const result = loadConfig(
      `${HEAD}routes:\n  - { plugin: component_http, options: { post_url: "http://a/", local_parts: [a] } }\n  - { plugin: component_http, options: { post_url: "http://b/" } }\n`,
      {},
      BUILTIN_PLUGINS,
    );
    expect(result.ok && result.config.routes.map((r) => (r.kind === "plugin" ? r.options : undefined))).toEqual([
      {
        post_url: "http://a/",
        local_parts: ["a"],
        stanzas: ["message"],
        timeout_ms: 10_000,
        max_concurrent: 16,
        max_queued: 1_000,
        content_type: "application/x-www-form-urlencoded",
        stanza_addresses: "swap",
      },
      {
        post_url: "http://b/",
        stanzas: ["message"],
        timeout_ms: 10_000,
        max_concurrent: 16,
        max_queued: 1_000,
        content_type: "application/x-www-form-urlencoded",
        stanza_addresses: "swap",
      },
    ]);
  });

  test("reports mistakes with file:line:col, the key path and what was expected", () => {
    const report = check(
      `routes:\n  - plugin: component_http\n    options:\n      post_url: ftp://x\n      local_parts: ["a b"]\n      stanzas: [message, handshake]\n`,
    );
    expect(report).toContain(
      'routes.yaml:7:26  error  routes[0].options.stanzas[1]  expected "message", "presence" or "iq", found "handshake"',
    );
    const fixedStanzas = check(`routes:\n  - plugin: component_http\n    options:\n      post_url: ftp://x\n      local_parts: ["a b"]\n`);
    expect(fixedStanzas).toContain("routes[0].options.post_url  must be an http:// or https:// URL");
    expect(fixedStanzas).toContain('routes[0].options.local_parts[0]  "a b" is not a valid JID local part');
    expect(check(`routes:\n  - plugin: component_http\n    options: {}\n`)).toContain("post_url");
  });
});

describe("one forwarded stanza", () => {
  const bob = "bob@example.org/phone";

  function harness(respond: () => Response | Promise<Response>): { deps: ForwardDeps; sent: Element[]; logs: string[] } {
    const sent: Element[] = [];
    const logs: string[] = [];
    const deps: ForwardDeps = {
      target: {
        fetch: fakeFetch(respond),
        url: "http://hook/",
        contentType: "application/json",
        timeoutMs: 1_000,
        key: undefined,
        stopping: new AbortController().signal,
      },
      limiter: createLimiter(1, 0),
      addressing: "swap",
      component: "gw.example",
      send: async (stanza) => void sent.push(stanza),
      log: createLogger({ level: "debug", write: (line) => void logs.push(line) }),
    };
    return { deps, sent, logs };
  }

  test("an error stanza is forwarded but nothing is sent back, even for a failed call", async () => {
    const { deps, sent } = harness(() => new Response(null, { status: 500 }));
    await forward(deps, xml("message", { to: "bot@gw.example", from: bob, type: "error" }));
    expect(sent).toEqual([]);
  });

  test("an iq result is never answered with an iq error (RFC 6120 §8.2.3)", async () => {
    const { deps, sent } = harness(() => new Response(null, { status: 404 }));
    await forward(deps, xml("iq", { to: "bot@gw.example", from: bob, type: "result", id: "r1" }));
    expect(sent).toEqual([]);
  });

  test("the error reply swaps the addresses, keeps the id and carries the module's condition and text", async () => {
    const { deps, sent } = harness(() => new Response(null, { status: 402 }));
    await forward(deps, xml("message", { to: "bot@gw.example", from: bob, type: "chat", id: "p1" }, xml("body", {}, "hi")));
    expect(sent.map(String)).toEqual([
      '<message to="bob@example.org/phone" from="bot@gw.example" id="p1" type="error"><error type="auth"><forbidden xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">Payment required</text></error></message>',
    ]);
  });

  describe("an answer that cannot be sent (refused and logged)", () => {
    const unusable =
      '<error type="cancel"><internal-server-error xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">Unusable answer from the webhook</text></error>';

    test("answers an iq get or set with cancel/internal-server-error, since an iq MUST be answered (RFC 6120 §8.2.3)", async () => {
      for (const type of ["get", "set"]) {
        const { deps, sent, logs } = harness(() => Response.json({ kind: "iq", type: 5 }));
        await forward(deps, xml("iq", { to: "bot@gw.example", from: bob, type, id: `q-${type}` }, xml("query", { xmlns: "urn:example" })));
        expect(sent.map(String)).toEqual([`<iq to="${bob}" from="bot@gw.example" id="q-${type}" type="error">${unusable}</iq>`]);
        expect(logs.some((l) => l.includes('"webhook answer refused"') && l.includes('\\"type\\" must be a string'))).toBe(true);
      }
    });

    test("answers a chat or normal message whose reply comes from outside the component's domain", async () => {
      for (const type of ["chat", "normal", undefined]) {
        const { deps, sent, logs } = harness(() => Response.json({ from: "alice@example.org", body: "spoofed" }));
        await forward(deps, xml("message", { to: "gw.example", from: bob, type, id: "r1" }, xml("body", {}, "hi")));
        expect(sent.map(String)).toEqual([`<message to="${bob}" from="gw.example" id="r1" type="error">${unusable}</message>`]);
        expect(logs.some((l) => l.includes('"webhook reply refused"') && l.includes('"reply_from":"alice@example.org"'))).toBe(true);
      }
    });

    test("sends nothing for presence, groupchat and headline messages, or an iq result", async () => {
      const requests = [
        xml("presence", { to: "bot@gw.example", from: bob }),
        xml("message", { to: "bot@gw.example", from: bob, type: "groupchat" }, xml("body", {}, "hi")),
        xml("message", { to: "bot@gw.example", from: bob, type: "headline" }, xml("body", {}, "hi")),
        xml("iq", { to: "bot@gw.example", from: bob, type: "result", id: "x" }),
      ];
      for (const request of requests) {
        const { deps, sent, logs } = harness(() => Response.json({ stanza: "<message><body>unclosed</message>" }));
        await forward(deps, request);
        expect(sent).toEqual([]);
        expect(logs.some((l) => l.includes('"webhook answer refused"'))).toBe(true);
      }
    });
  });

  test("a reply the link cannot send is logged, never thrown", async () => {
    const { deps, logs } = harness(() => Response.json({ body: "x" }));
    deps.send = async () => {
      throw new Error("XMPP link is not online");
    };
    await forward(deps, xml("message", { to: "bot@gw.example", from: bob, type: "chat" }));
    expect(logs.some((l) => l.includes("reply not sent"))).toBe(true);
  });
});

describe("shutdown", () => {
  test("stop() lets a call in flight end (here by its timeout) before it resolves, then takes no new stanza", async () => {
    let handler: StanzaHandler = () => false;
    const sent: Element[] = [];
    const hang = fakeFetch(
      (_url, init) => new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(new Error("aborted")))),
    );
    const xmpp = fakeXmppPort({ onStanza: (h) => void (handler = h), send: async (el) => void sent.push(el) });
    const options: ComponentHttpOptions = {
      post_url: "http://hook/",
      stanzas: ["message"],
      timeout_ms: 50,
      max_concurrent: 1,
      max_queued: 1,
      content_type: "application/json",
      stanza_addresses: "swap",
    };
    const ctx = fakePluginContext(options, { xmpp, fetch: hang });
    const plugin = await componentHttp.setup(ctx);
    const chat = xml("message", { to: "bot@gw.example", from: "bob@example.org/phone", type: "chat" }, xml("body", {}, "hi"));
    expect(await handler(chat)).toBe(true);
    await plugin.stop?.();
    expect(sent.map((el) => el.getChild("error")?.getChildText("text", "urn:ietf:params:xml:ns:xmpp-stanzas"))).toEqual([
      "Webhook timed out",
    ]);
    expect(await handler(chat)).toBe(false);
  });
});
