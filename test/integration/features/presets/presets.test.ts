// Presets end to end, on each real server: every recorded payload of each source, posted to its
// preset route with the auth its folder pairs it with (about.yaml: github and gitea behind
// `kind: hmac`, …; without it, 401), reaches a real client as the message in its golden/ (the
// one README shows); GitHub's form content type too; and Alertmanager's and Grafana's "resolved" correcting the
// "firing" message in place (XEP-0308), remembered in the gateway's store.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Element } from "ltx";
import { testServers } from "../../../helpers/servers.ts";
import { isMessageWithBody } from "../../../../testbed/xmpp-client.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { presetFixture, presetFixtures, type PresetFixture, senderAuth, senderCredentials } from "../../../helpers/preset-fixtures.ts";
import { presetFolders } from "../../../../src/features/presets/about.ts";

const SECRET = "its-a-secret-to-everybody-0123";
const FOLDERS = presetFolders();
const ROUTES = `
auth:
${FOLDERS.map((f) => `  ${f.name}_hook: ${senderAuth(f, SECRET)}`).join("\n")}
routes:
${FOLDERS.map((f) => `  - { preset: ${f.name}, auth: ${f.name}_hook, to: [bob@localhost] }`).join("\n")}
  - path: /barrier
    send: <message to="bob@localhost" type="chat"><body>barrier</body></message>
`;

/** The <body> text of a golden message, or null when the golden says nothing is sent (204). */
async function goldenBody(f: PresetFixture): Promise<string | null> {
  const text = await Bun.file(f.golden).text();
  const m = /<body>([\s\S]*?)<\/body>/.exec(text);
  return m
    ? (m[1] as string)
        .replaceAll("&lt;", "<")
        .replaceAll("&gt;", ">")
        .replaceAll("&quot;", '"')
        .replaceAll("&apos;", "'")
        .replaceAll("&amp;", "&")
    : null;
}

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { gateway: { routes: ROUTES }, clients: ["bob"] });

    async function post(f: PresetFixture, body?: Uint8Array): Promise<Response> {
      const bytes = body ?? (await f.bytes());
      const headers = {
        "content-type": "application/json",
        ...Object.fromEntries(f.headers),
        ...senderCredentials(f.folder, SECRET, bytes),
      };
      return bed.gw.post(f.folder.route.path, { headers, body: bytes });
    }

    for (const f of presetFixtures()) {
      test(`${f.preset}/${f.file}: bob receives the golden message`, async () => {
        const expected = await goldenBody(f);
        const res = await post(f);
        expect(res.status).toBe(expected === null ? 204 : 201);
        // After a 204 the barrier is the next message: nothing was sent in between.
        if (expected === null) expect((await bed.gw.post("/barrier", {})).status).toBe(201);
        const msg = await bed.bob.nextStanza(isMessageWithBody);
        expect(msg.getChildText("body")).toBe(expected ?? "barrier");
      });
    }

    for (const folder of FOLDERS)
      test(`${folder.name}: without the credentials its sender adds, 401 and nothing is sent`, async () => {
        const f = presetFixtures().find((x) => x.preset === folder.name) as PresetFixture;
        const headers = { "content-type": "application/json", ...Object.fromEntries(f.headers) };
        expect((await bed.gw.post(folder.route.path, { headers, body: await f.bytes() })).status).toBe(401);
        expect((await bed.gw.post("/barrier", {})).status).toBe(201);
        expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("barrier");
      });

    test("github: a wrong signature is 401 and nothing is sent", async () => {
      const push = presetFixture("github", "push.json");
      const res = await bed.gw.post("/github", {
        headers: { "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": `sha256=${"0".repeat(64)}` },
        body: await push.bytes(),
      });
      expect(res.status).toBe(401);
      expect((await bed.gw.post("/barrier", {})).status).toBe(201);
      expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("barrier");
    });

    test("github: the form content type (GitHub's default, JSON in payload=) delivers the same message; a form without it is 400", async () => {
      const push = presetFixture("github", "push.json");
      const form = (text: string) => new TextEncoder().encode(text);
      const signed = (bytes: Uint8Array) => ({
        "content-type": "application/x-www-form-urlencoded",
        "x-github-event": "push",
        ...senderCredentials(push.folder, SECRET, bytes),
      });
      const payload = form(`payload=${encodeURIComponent(new TextDecoder().decode(await push.bytes()))}`);
      expect((await bed.gw.post("/github", { headers: signed(payload), body: payload })).status).toBe(201);
      expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe(await goldenBody(push));
      const empty = form("ref=refs%2Fheads%2Fmain");
      const refused = await bed.gw.post("/github", { headers: signed(empty), body: empty });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ code: "INVALID_BODY", problems: [{ field: "sender", problem: "required" }] });
      expect((await bed.gw.post("/barrier", {})).status).toBe(201);
      expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("barrier");
    });

    for (const [preset, firingFile, resolvedFile, title] of [
      ["alertmanager", "group-firing.json", "group-resolved.json", "✅ RESOLVED: InstanceDown"],
      ["grafana", "unified-firing.json", "unified-resolved.json", "✅ RESOLVED: High memory usage"],
    ] as const)
      test(`${preset}: resolved corrects the firing message in place, with an XHTML-IM body`, async () => {
        const fixture = (file: string) => presetFixture(preset, file);
        // The group in a fresh state: its earlier tests may have left the thread open or closed.
        expect((await post(fixture(resolvedFile))).status).toBe(201);
        await bed.bob.nextStanza(isMessageWithBody);
        expect((await post(fixture(firingFile))).status).toBe(201);
        const firing: Element = await bed.bob.nextStanza(isMessageWithBody);
        expect(firing.getChild("replace", "urn:xmpp:message-correct:0")).toBeUndefined();
        expect(
          firing.getChild("html", "http://jabber.org/protocol/xhtml-im")?.getChild("body", "http://www.w3.org/1999/xhtml"),
        ).toBeDefined();
        expect((await post(fixture(resolvedFile))).status).toBe(201);
        const resolved: Element = await bed.bob.nextStanza(isMessageWithBody);
        expect(resolved.getChildText("body")).toStartWith(title);
        expect(resolved.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id).toBe(firing.attrs.id);
      });
  });

describe("the release binary carries the presets", () => {
  const BIN = join(import.meta.dir, "../../../../dist/stanzagate");
  const run = (args: string[], cwd: string) => {
    const p = Bun.spawnSync([BIN, ...args], { cwd, stdout: "pipe", stderr: "pipe", timeout: 30_000 });
    return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
  };

  test("preset NAME prints it and render runs it, from a directory without sources", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-presets-"));
    try {
      const printed = run(["preset", "github"], dir);
      expect(printed).toMatchObject({ code: 0, err: "" });
      expect(printed.out).toContain("  - name: github\n");
      const kuma = presetFixture("uptime_kuma", "down.json");
      await Bun.write(
        join(dir, "routes.yaml"),
        `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }\nroutes:\n  - { preset: uptime_kuma, to: bob@localhost }\n`,
      );
      await Bun.write(join(dir, "down.json"), await kuma.bytes());
      const rendered = run(["render", "--config", "routes.yaml", "--route", "/uptime-kuma", "--body", "down.json"], dir);
      expect(rendered.code).toBe(0);
      expect(rendered.out).toContain(`<body>${await goldenBody(kuma)}</body>`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
