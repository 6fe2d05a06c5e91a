// subscribe: and access: of a ntfy route, and topics: at the top: what `check` accepts and refuses, at file:line:col.
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../../../src/features/index.ts";
import { formatLines } from "../../../../src/config/diagnostics.ts";
import { BUILTIN_PLUGINS } from "../../../../plugins/index.ts";

const HEAD = `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }\n`;
const AUTH = `auth:\n  app: { kind: bearer, tokens: [{ name: ha, token: "0123456789abcdef0123" }] }\n`;

function errors(text: string): string[] {
  const result = loadConfig(HEAD + text, {}, BUILTIN_PLUGINS);
  return result.ok
    ? []
    : formatLines(
        "routes.yaml",
        result.diagnostics.filter((d) => !d.severity),
      );
}

describe("subscribe:, access: and topics: in routes.yaml", () => {
  test("take the documented keys, defaults filled in", () => {
    const text = `${AUTH}topics: { cache_duration_s: 3600 }\nroutes:\n  - preset: ntfy\n    auth: app\n    to: ops@localhost\n    subscribe: {}\n    access:\n      "*": { read: [ha], write: ["*"] }\n`;
    const result = loadConfig(HEAD + text, {}, BUILTIN_PLUGINS);
    if (!result.ok) throw new Error(formatLines("routes.yaml", result.diagnostics).join("\n"));
    expect(result.config.topics).toEqual({ cache_duration_s: 3600, max_events: 1000, max_bytes: 4_194_304 });
    expect(result.config.routes[0]).toMatchObject({
      subscribe: { keepalive_s: 45, max_topics: 100, buffer_bytes: 1_048_576, max_subscribers: 10_000 },
      access: { "*": { read: ["ha"], write: ["*"] } },
    });
  });

  test("access: without auth: is refused: no request would have an identity", () => {
    expect(errors(`routes:\n  - preset: ntfy\n    to: ops@localhost\n    access: { news: { read: [ha] } }\n`)).toEqual([
      "routes.yaml:5:13  error  routes[0].access  access: names identities, which only an auth: scheme gives: set auth:",
    ]);
  });

  test("an access: key that is no topic name nor * is refused, as are unknown subscribe: keys", () => {
    const route = `${AUTH}routes:\n  - preset: ntfy\n    auth: app\n    to: ops@localhost\n`;
    expect(errors(`${route}    subscribe: { keepalive: 5 }\n`).join("\n")).toContain("routes[0].subscribe.keepalive  unknown key");
    expect(errors(`${route}    access: { "bad topic": { read: [ha] } }\n`).join("\n")).toContain(
      '"bad topic" is neither a ntfy topic name nor "*"',
    );
  });
});
