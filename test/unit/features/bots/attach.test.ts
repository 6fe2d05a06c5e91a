// A bot command with `attach: true` (issue 21 §1): the answer of its HTTP call (a camera's JPEG, a
// chart's PNG) streams into the file store and follows the reply as a message of its own whose body
// is the URL and whose XEP-0066 element carries it. Unit tier: a temp-dir FilesPort.
import { afterEach, describe, expect, test } from "bun:test";
import { harness, sentCount } from "./harness.ts";
import { tempFiles, type TempFiles } from "../../../helpers/temp-files.ts";
import { sha256 } from "../../../helpers/file-store.ts";
import { FAKE_HEAD } from "../../../helpers/fake-gateway.ts";
import { loadConfig } from "../../../../src/features/index.ts";
import { BUILTIN_PLUGINS } from "../../../../plugins/index.ts";

const HTTP = "http:\n  public_url: https://gw.example.org\n";
const BOTS = `${HTTP}
bots:
  - jid: house@gateway.localhost
    allow: ALLOW
    commands:
      - match: '^snapshot (?<cam>\\w+)$'
        http: { url: "http://cams.local/{{ match.cam }}/now.jpg", timeout_ms: 1000 }
        attach: true
        reply: "{{ match.cam }} at once ({{ http.status }})"
        error: "no picture: {{ error }}"
`;
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]);

let store: TempFiles | undefined;
afterEach(() => store?.remove());

describe("attach: true", () => {
  test("snapshot door: the reply, then the camera's JPEG as an OOB message; the bytes are the camera's", async () => {
    store = tempFiles();
    const h = harness(async () => new Response(JPEG, { headers: { "content-type": "image/jpeg" } }), ["*@localhost"], BOTS, store);
    await h.say("snapshot door");
    const [reply, file] = [h.sent[0], await sentCount(h.sent, 2)];
    expect(reply?.getChildText("body")).toBe("door at once (200)");
    const url = store.stored[0]?.url as string;
    expect(store.stored.map((f) => [f.name, f.sha256, f.sender])).toEqual([["now.jpg", sha256(JPEG), "xmpp:bob@localhost"]]);
    expect(file?.attrs).toMatchObject({ to: "bob@localhost/phone", from: "house@gateway.localhost", type: "chat" });
    expect(file?.getChildText("body")).toBe(url);
    const oob = file?.getChild("x", "jabber:x:oob");
    expect([oob?.getChildText("url"), oob?.getChildText("desc")]).toEqual([url, "now.jpg"]);
  });

  test("Content-Disposition names the file (RFC 6266), over the URL's last segment", async () => {
    store = tempFiles();
    const answer = () => new Response(JPEG, { headers: { "content-disposition": 'inline; filename="door-0801.jpg"' } });
    const h = harness(async () => answer(), ["*@localhost"], BOTS, store);
    await h.say("snapshot door");
    await sentCount(h.sent, 2);
    expect(store.stored.map((f) => f.name)).toEqual(["door-0801.jpg"]);
  });

  test("a picture past the store's limit is the error: line saying so, and nothing is attached", async () => {
    store = tempFiles(4);
    const h = harness(async () => new Response(JPEG), ["*@localhost"], BOTS, store);
    expect((await h.say("snapshot door"))?.getChildText("body")).toBe(
      "no picture: the file could not be kept (The file is larger than attachments.max_file_bytes)",
    );
    expect(await h.barrier(1)).toBe(0);
    expect(store.stored).toEqual([]);
  });

  test("a camera answering 503 is the error: line; nothing is stored", async () => {
    store = tempFiles();
    const h = harness(async () => new Response("busy", { status: 503 }), ["*@localhost"], BOTS, store);
    expect((await h.say("snapshot door"))?.getChildText("body")).toBe("no picture: the service answered HTTP 503");
    expect(store.stored).toEqual([]);
  });
});

describe("check", () => {
  const problems = (yaml: string) => {
    const result = loadConfig(FAKE_HEAD + yaml.replace("ALLOW", '["*@localhost"]'), {}, BUILTIN_PLUGINS);
    // Errors only: the test head's `store: ":memory:"` also earns a warning about its files' links.
    return result.ok ? [] : result.diagnostics.filter((d) => d.severity === undefined).map((d) => d.message);
  };

  test("attach: needs http.public_url, and an http: call whose answer is the file", () => {
    expect(problems(BOTS.replace(HTTP, ""))).toEqual([
      "attach: needs http.public_url: the URL chat clients reach this listener at, which the links to the files start with",
    ]);
    const noCall = BOTS.replace('        http: { url: "http://cams.local/{{ match.cam }}/now.jpg", timeout_ms: 1000 }\n', "").replace(
      "({{ http.status }})",
      "",
    );
    expect(problems(noCall)).toEqual(["attach: true attaches the answer of the command's http: call, and this command has none"]);
  });
});
