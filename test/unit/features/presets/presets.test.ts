// Presets: each recorded payload of each source (its folder's fixtures/), rendered through
// `stanzagate render` (the same handler `serve` runs), gives the message in its golden/. Golden
// files are written only by `make golden` (STANZAGATE_GOLDEN=write): review the diff after.
import { describe, expect, test } from "bun:test";
import { renderCommand } from "../../../../src/features/routes/render-cli.ts";
import { memoryRemembered, type Remembered } from "../../../../src/features/routes/correct.ts";
import { CODE_FORMATS, FEATURE_REGISTRY, loadConfig } from "../../../../src/features/index.ts";
import { formatLines } from "../../../../src/config/diagnostics.ts";
import { PRESETS } from "../../../../src/features/presets/sources.ts";
import { presetCommand } from "../../../../src/features/presets/cli.ts";
import { BUILTIN_PLUGINS } from "../../../../plugins/index.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";
import { presetFixture, presetFixtures, requiredOnly } from "../../../helpers/preset-fixtures.ts";
import { emptyBodyRequires, eventHeaders, type PresetFolder, presetFolders } from "../../../../src/features/presets/about.ts";

const HEAD = `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }\n`;

async function render(preset: string, body: Uint8Array, headers: Array<[string, string]>, remembered?: Remembered): Promise<string[]> {
  const config = loadTestConfig(`${HEAD}routes:\n  - { preset: ${preset}, to: ops@localhost }\n`);
  const route = config.routes[0];
  const lines: string[] = [];
  const code = await renderCommand(
    config,
    {
      route: route?.kind === "declarative" ? route.path : "/",
      headers,
      query: [],
      pretty: true,
      body,
      ...(remembered ? { remembered } : {}),
    },
    {
      out: (l) => lines.push(l),
      err: (l) => lines.push(`(stderr) ${l}`),
    },
  );
  lines.push(`(exit ${code})`);
  return lines;
}

describe("each preset renders each recorded payload as its golden message", () => {
  for (const { preset, file, headers, bytes, golden: goldenPath } of presetFixtures()) {
    test(`${preset}/${file}`, async () => {
      const actual = `${(await render(preset, await bytes(), headers)).join("\n")}\n`;
      const golden = Bun.file(goldenPath);
      if (process.env.STANZAGATE_GOLDEN === "write") await Bun.write(golden, actual);
      else if (!(await golden.exists())) throw new Error(`${golden.name} is missing: run \`make golden\`, then review it`);
      expect(actual).toBe(await golden.text());
      expect(actual).toContain("(exit 0)");
    });
  }

  test("every preset has recorded payloads", () => {
    for (const name of Object.keys(PRESETS)) expect(presetFixtures().some((f) => f.preset === name)).toBe(true);
  });
});

describe("alertmanager: the resolved notification corrects the firing message in place (XEP-0308)", () => {
  test("the resolved message replaces the firing one's id; the next firing starts a new message", async () => {
    const memory = memoryRemembered();
    const send = async (file: string) =>
      (await render("alertmanager", await presetFixture("alertmanager", file).bytes(), [], memory)).join("\n");
    const firing = await send("group-firing.json");
    expect(firing).not.toContain("<replace");
    const resolved = await send("group-resolved.json");
    expect(resolved).toContain(`<replace id="render-1" xmlns="urn:xmpp:message-correct:0"/>`);
    expect(await send("group-firing.json")).not.toContain("<replace");
  });
});

describe("a preset route in routes.yaml", () => {
  const check = (routes: string) => {
    const result = loadConfig(`${HEAD}auth: { hook: { kind: hmac, format: github, secret: s } }\nroutes:\n${routes}`, {}, BUILTIN_PLUGINS);
    return result.ok ? [] : formatLines("routes.yaml", result.diagnostics);
  };

  test("takes path, auth, name and one JID or a list in to:", () => {
    expect(check(`  - { preset: github, path: /hooks/gh, auth: hook, to: [a@localhost, b@localhost] }\n`)).toEqual([]);
    const config = loadTestConfig(`${HEAD}routes:\n  - { preset: github, path: /hooks/gh, to: [a@localhost, b@localhost] }\n`);
    expect(config.routes[0]).toMatchObject({ kind: "declarative", path: "/hooks/gh", name: "github" });
  });

  test("a mistake is reported at the user's own key", () => {
    expect(check(`  - { preset: githib, to: a@localhost }\n`)).toEqual([
      `routes.yaml:4:15  error  routes[0].preset  no preset named "githib" (did you mean "github"?) (known: ${[...Object.keys(PRESETS), ...FEATURE_REGISTRY.selectable("preset")].join(", ")})`,
    ]);
    expect(check(`  - { preset: github, to: [a@localhost, "not a jid"] }\n`)[0]).toMatch(/routes\[0\]\.to\[1\]  "not a jid" is not a JID/);
    expect(check(`  - { preset: github, to: a@localhost, auth: nope }\n`)[0]).toMatch(/routes\[0\]\.auth  no auth scheme named "nope"/);
    expect(check(`  - { preset: github }\n`)[0]).toMatch(/routes\[0\]/);
  });
});

describe("stanzagate preset NAME", () => {
  const run = (name?: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = presetCommand(name, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  };

  test("prints a routes[] item that loads as it is, under routes:", () => {
    for (const name of Object.keys(PRESETS)) {
      const { code, out } = run(name);
      expect(code).toBe(0);
      const config = loadTestConfig(`${HEAD}routes:\n${out.join("\n")}\n`);
      expect(config.routes[0]).toMatchObject({ kind: "declarative", name });
    }
  });

  test("a format written in code prints its example entry, which loads as it is (with the auth it names)", () => {
    const formats = Object.keys(CODE_FORMATS);
    expect(formats).toEqual(expect.arrayContaining(["ntfy", "gotify", "slack", "mattermost", "discord", "apprise", "teams"]));
    const auth = `auth:\n  gotify: { kind: bearer, tokens: [{ name: app, token: AGhVjJ3kKc0dDzm }] }\n`;
    for (const name of formats) {
      const out: string[] = [];
      expect(presetCommand(name, { out: (l) => out.push(l), err: () => undefined }, CODE_FORMATS)).toBe(0);
      const config = loadTestConfig(`${HEAD}${auth}routes:\n${out.join("\n")}\n`);
      expect(config.routes[0]).toMatchObject({ kind: name });
    }
  });

  test("a format whose path is its secret prints a fresh one each time, never one from the docs", () => {
    const printed = (name: string) => {
      const out: string[] = [];
      presetCommand(name, { out: (l) => out.push(l), err: () => undefined }, CODE_FORMATS);
      return out.join("\n");
    };
    for (const name of ["slack", "mattermost", "teams", "discord"]) {
      const [first, second] = [printed(name), printed(name)];
      expect(first).toMatch(/path: \/\S*\/[0-9a-f]{32}\n/);
      expect(first).not.toBe(second);
      expect(first).not.toContain("RANDOM_SECRET");
    }
  });

  test("without a name lists the presets, then the formats; an unknown name is exit 2 with the known ones", () => {
    const names = [...Object.keys(PRESETS), ...Object.keys(CODE_FORMATS)];
    const listed = (() => {
      const out: string[] = [];
      presetCommand(undefined, { out: (l) => out.push(l), err: () => undefined }, CODE_FORMATS);
      return out;
    })();
    expect(listed.map((l) => l.split(" ")[0])).toEqual(names);
    expect(run().out.map((l) => l.split(" ")[0])).toEqual(Object.keys(PRESETS));
    expect(run("githb")).toEqual({
      code: 2,
      out: [],
      err: [`no preset named "githb" (did you mean "github"?) (known: ${Object.keys(PRESETS).join(", ")})`],
    });
  });
});

describe("docs/presets.md", () => {
  test("every example message it shows is a golden message, so the real-server tests deliver it", async () => {
    const section = await Bun.file(new URL("../../../../docs/presets.md", import.meta.url)).text();
    const shown = [...section.matchAll(/```text\n([\s\S]*?)\n```/g)].map((m) => m[1]);
    const goldens = await Promise.all(presetFixtures().map(async (f) => Bun.file(f.golden).text()));
    const bodies = goldens.flatMap((g) => [...(/<body>([\s\S]*?)<\/body>/.exec(g)?.slice(1, 2) ?? [])]).map(unescapeXml);
    expect(shown.length).toBeGreaterThanOrEqual(Object.keys(PRESETS).length);
    for (const text of shown) expect(bodies).toContain(text as string);
  });
});

function unescapeXml(text: string): string {
  return text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&apos;", "'").replaceAll("&amp;", "&");
}

describe("correct: on any declarative route", () => {
  const ROUTE = `${HEAD}routes:\n  - path: /deploy\n    correct: { key: body.run, last: body.state == "done" }\n    send: <message to="ops@localhost"><body>{{ body.run }} {{ body.state }}</body></message>\n`;
  const step = async (memory: Remembered, body: unknown) => {
    const out: string[] = [];
    await renderCommand(
      loadTestConfig(ROUTE),
      { route: "/deploy", headers: [], query: [], pretty: false, body: new TextEncoder().encode(JSON.stringify(body)), remembered: memory },
      { out: (l) => out.push(l), err: (l) => out.push(l) },
    );
    return out.join("\n");
  };

  test("each later message of a thread names the first one; `last` closes the thread", async () => {
    const memory = memoryRemembered();
    expect(await step(memory, { run: "r1", state: "started" })).not.toContain("<replace");
    expect(await step(memory, { run: "r2", state: "started" })).not.toContain("<replace");
    expect(await step(memory, { run: "r1", state: "half" })).toContain(`<replace id="render-1" xmlns="urn:xmpp:message-correct:0"/>`);
    expect(await step(memory, { run: "r1", state: "done" })).toContain(`<replace id="render-1" xmlns="urn:xmpp:message-correct:0"/>`);
    expect(await step(memory, { run: "r1", state: "again" })).not.toContain("<replace");
    expect(await step(memory, { state: "no key" })).not.toContain("<replace");
  });

  test("a key written as a template is a check error at correct.key", () => {
    const result = loadConfig(ROUTE.replace("key: body.run", 'key: "{{ body.run }}"'), {}, BUILTIN_PLUGINS);
    expect(result.ok ? [] : formatLines("routes.yaml", result.diagnostics)).toEqual([
      "routes.yaml:4:22  error  routes[0].correct.key  bad key: a key is an expression such as body.groupKey, without {{ }}",
    ]);
  });
});

describe("XHTML-IM bodies (XEP-0071) link only http(s) URLs", () => {
  test.each(["alertmanager", "grafana"])("%s: a javascript: URL stays text, never an href", async (preset) => {
    // The fields both sources require (title and state are Grafana's), and a hostile alert.
    const payload = {
      status: "firing",
      groupKey: "k",
      title: "t",
      state: "alerting",
      alerts: [{ status: "firing", labels: { instance: "x" }, generatorURL: "javascript:alert(1)", silenceURL: "JavaScript:alert(2)" }],
    };
    const out = (await render(preset, new TextEncoder().encode(JSON.stringify(payload)), [])).join("\n");
    expect(out).toContain("<li>[firing] ");
    expect(out).not.toContain("href");
  });
});

describe("a preset never answers 2xx with a message built from nothing", () => {
  const form = (fields: Record<string, string>) => new TextEncoder().encode(new URLSearchParams(fields).toString());
  const FORM: [string, string] = ["content-type", "application/x-www-form-urlencoded"];

  test.each(["github", "gitea"])("%s: the form content type (JSON in payload=) gives the same message as JSON", async (preset) => {
    const fixture = presetFixture(preset, "push.json");
    const json = await render(preset, await fixture.bytes(), fixture.headers);
    const payload = new TextDecoder().decode(await fixture.bytes());
    expect(await render(preset, form({ payload }), [...fixture.headers, FORM])).toEqual(json);
    expect(json.join("\n")).toMatch(/<body>\[[^\]]+\] \S+ pushed [1-9]/);
  });

  test("github: a form without payload= is 400 naming the missing field, and nothing is sent", async () => {
    const out = await render("github", form({ ref: "refs/heads/main" }), [["x-github-event", "push"], FORM]);
    expect(out).toEqual([
      `(stderr) 400 {"error":"Body does not match what this route accepts","code":"INVALID_BODY","problems":[{"field":"sender","problem":"required"}]}`,
      "(exit 1)",
    ]);
  });

  // GitHub and Gitea send a sender with every event, so `body:` alone let `{"sender":{…}}` through
  // as "[GitHub] x pushed 0 commits to : ": each event's line requires its own fields (each
  // folder's about.yaml names an event's first one).
  test.each(
    presetFolders().flatMap((f) => Object.entries(f.about.tests?.event_requires ?? {}).map(([event, field]) => [f.name, event, field])),
  )("%s: a %s event that lacks its own fields is 400 naming the first, and nothing is sent", async (preset, event, field) => {
    const folder = presetFolders().find((f) => f.name === preset) as PresetFolder;
    const out = await render(preset, new TextEncoder().encode(JSON.stringify(requiredOnly(folder))), eventHeaders(folder, `${event}.json`));
    expect(out).toHaveLength(2);
    expect(out[0]).toStartWith("(stderr) 400 ");
    expect(JSON.parse((out[0] ?? "").slice("(stderr) 400 ".length))).toMatchObject({
      code: "INVALID_BODY",
      problems: [{ field, problem: "required" }],
      template: expect.stringContaining("required"),
    });
    expect(out[1]).toBe("(exit 1)");
  });

  test("a payload= that is not a JSON object is 400 INVALID_JSON", async () => {
    const [line] = await render("github", form({ payload: "{not json" }), [["x-github-event", "push"], FORM]);
    expect(line).toStartWith(`(stderr) 400 {"error":"The form's only field, \\"payload\\", is not a JSON object","code":"INVALID_JSON"`);
  });

  test.each(presetFolders().map((f) => [f.name, emptyBodyRequires(f)] as const))(
    "%s: an empty JSON object is 400 INVALID_BODY naming each required field",
    async (preset, fields) => {
      const [line, exit] = await render(preset, new TextEncoder().encode("{}"), []);
      const body = JSON.parse(line?.replace(/^\(stderr\) 400 /, "") ?? "") as { code: string; problems: unknown };
      expect(body.code).toBe("INVALID_BODY");
      expect(body.problems).toEqual(fields.map((field) => ({ field, problem: "required" })));
      expect(exit).toBe("(exit 1)");
    },
  );
});
