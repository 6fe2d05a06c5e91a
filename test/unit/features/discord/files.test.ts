// Discord's files (issue 21): the file parts of an execute-webhook request (Grafana's panel images in
// empty-named parts, curl's files[n], Apprise's `file`) stream into the file store and become the
// message's attachments; embed images given by URL are attachments too (links). Refusals are in
// Discord's error shape. Unit tier: the store is a temp-dir FilesPort (test/helpers/temp-files.ts).
import { afterEach, describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { discordHandlers, type DiscordDeps } from "../../../../src/features/discord/handlers.ts";
import { webhookIdentity } from "../../../../src/features/discord/objects.ts";
import type { DiscordRoute } from "../../../../src/features/discord/route.ts";
import type { SentMessage } from "../../../../src/features/discord/sent.ts";
import type { FilesPort } from "../../../../src/files/types.ts";
import { discordFixture, multipart } from "../../../helpers/discord-fixtures.ts";
import { tempFiles, type TempFiles } from "../../../helpers/temp-files.ts";
import { sha256 } from "../../../helpers/file-store.ts";

const PATH = "/api/webhooks/1189/Zx9fK2mQ7rT4vW8yB3nD";
const ROUTE = { kind: "discord", at: "routes[0]", path: PATH, to: ["bob@localhost"], rooms: {}, prefix: "/api/webhooks/1189", token: "x" };
/** The bytes discord-fixtures.ts puts in every file part: a PNG signature and four bytes. */
const TINY_PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

let store: TempFiles | undefined;
afterEach(() => store?.remove());

function webhook(files: FilesPort | undefined) {
  const stanzas: Element[] = [];
  const sent = new Map<string, SentMessage>();
  let n = 0;
  const deps: DiscordDeps = {
    auth: undefined,
    notify: { component: "gw.localhost", maxStanzaBytes: 262_144, deliver: async (s) => (stanzas.push(s), "sent"), newId: () => `m${++n}` },
    maxBodyBytes: 4096,
    files,
    sent: { get: async (id) => sent.get(id), set: async (id, m) => void sent.set(id, m), delete: async (id) => void sent.delete(id) },
    hook: webhookIdentity(PATH),
    snowflake: () => String(1_000 + ++n),
    now: () => new Date("2026-12-07T08:00:00Z"),
    unsaved: () => {},
    notRetracted: () => {},
  };
  const handlers = discordHandlers(ROUTE as unknown as DiscordRoute, deps);
  const post = (init: RequestInit, query = "") =>
    handlers.execute({ request: new Request(`http://gw${PATH}${query}`, init), params: { token: "x" }, ip: "192.0.2.7" });
  const onMessage = (handler: "edit" | "remove", id: string, init: RequestInit) =>
    handlers[handler]({
      request: new Request(`http://gw${PATH}/messages/${id}`, init),
      params: { token: "x", message_id: id },
      ip: "192.0.2.7",
    });
  return { post, onMessage, stanzas, sent };
}

describe("file parts go into the store", () => {
  test('Grafana\'s shape: payload_json, then the panel image in a part named "" (grafana/alerting receivers/discord/v1)', async () => {
    store = tempFiles();
    const { post } = webhook(store);
    const res = await post(multipart(discordFixture("grafana-image").payload, ["Ab3dE5fG7hI9.png"]), "?wait=true");
    expect(res.status).toBe(200);
    expect(store.stored.map((f) => [f.name, f.size, f.sha256, f.sender])).toEqual([
      ["Ab3dE5fG7hI9.png", 12, sha256(TINY_PNG), "192.0.2.7"],
    ]);
    // attachment:// names the stored file: no second attachment, no link.
    expect(store.remotes).toEqual([]);
    const message = (await res.json()) as { attachments: unknown[] };
    expect(message.attachments).toEqual([
      {
        id: expect.any(String),
        filename: "Ab3dE5fG7hI9.png",
        size: 12,
        url: store.stored[0]?.url,
        proxy_url: store.stored[0]?.url,
        content_type: "application/octet-stream",
      },
    ]);
  });

  test("curl's files[0] and files[1], and Apprise's `file`: every file part, in order", async () => {
    store = tempFiles();
    const { post } = webhook(store);
    expect((await post(multipart('{"content":"graphs"}', ["cpu.png", "mem.png"], "files[0]"))).status).toBe(204);
    expect((await post(multipart('{"tts":false}', ["door.jpg"], "file"))).status).toBe(204);
    expect(store.stored.map((f) => f.name)).toEqual(["cpu.png", "mem.png", "door.jpg"]);
  });

  test("embed images and thumbnails given by URL are asked of the store as remote URLs (links by default)", async () => {
    store = tempFiles();
    const { post } = webhook(store);
    const body = {
      content: "nas",
      embeds: [{ image: { url: "https://img.example/a.png" }, thumbnail: { url: "https://img.example/t.png" } }],
    };
    const res = await post({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status).toBe(204);
    expect(store.remotes.map((r) => r.url)).toEqual(["https://img.example/a.png", "https://img.example/t.png"]);
  });
});

describe("a message edited with more files", () => {
  test("PATCH adds a file: its message is remembered with the others, and DELETE withdraws every one", async () => {
    store = tempFiles();
    const { post, onMessage, stanzas } = webhook(store);
    const posted = await post(multipart('{"content":"graphs"}', ["a.png"], "files[0]"), "?wait=true");
    const { id } = (await posted.json()) as { id: string };
    const [text, aFile] = stanzas.map((s) => s.attrs.id as string);
    const patched = await onMessage("edit", id, { ...multipart('{"content":"graphs, later"}', ["b.png"], "files[0]"), method: "PATCH" });
    expect(patched.status).toBe(200);
    const bFile = stanzas.at(-1);
    // b.png is a message of its own, new: the edit corrects the text and a.png's message.
    expect(bFile?.getChild("replace", "urn:xmpp:message-correct:0")).toBeUndefined();
    const before = stanzas.length;
    expect((await onMessage("remove", id, { method: "DELETE" })).status).toBe(204);
    const retracted = stanzas.slice(before).map((s) => s.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id);
    expect(retracted).toEqual([text, aFile, bFile?.attrs.id]);
  });
});

describe("refusals in Discord's shape, before anything is sent", () => {
  test("a file when attachments are off: 400 with the sentence saying how to turn them on", async () => {
    const { post, stanzas } = webhook(undefined);
    const res = await post(multipart('{"content":"x"}', ["cpu.png"], "files[0]"));
    expect([res.status, await res.json()]).toEqual([
      400,
      { message: "This gateway does not take files: set http.public_url to turn attachments on", code: 0 },
    ]);
    expect(stanzas).toEqual([]);
  });

  test("a file past the store's limit: 413 Request entity too large (40005), as Discord answers an upload too large", async () => {
    store = tempFiles(8);
    const { post, stanzas } = webhook(store);
    const res = await post(multipart('{"content":"x"}', ["big.png"], "files[0]"));
    expect([res.status, await res.json()]).toEqual([413, { message: "Request entity too large", code: 40005 }]);
    expect(stanzas).toEqual([]);
  });

  test("a payload_json Discord refuses, before the file: 400 50035 naming it, and the file is not stored", async () => {
    store = tempFiles();
    const { post, stanzas } = webhook(store);
    const res = await post(multipart('{"content":', ["graph.png"]));
    expect([res.status, await res.json()]).toMatchObject([400, { code: 50035, errors: { payload_json: {} } }]);
    const long = await post(multipart(JSON.stringify({ content: "x".repeat(2001) }), ["graph.png"]));
    expect([long.status, await long.json()]).toMatchObject([400, { code: 50035, errors: { content: {} } }]);
    expect([store.stored, stanzas]).toEqual([[], []]);
  });

  test("eleven files: 400 Invalid Form Body naming files (Discord takes 10 in a message), and the eleventh is not stored", async () => {
    store = tempFiles();
    const { post, stanzas } = webhook(store);
    const names = Array.from({ length: 11 }, (_, i) => `f${i}.png`);
    const res = await post(multipart('{"content":"x"}', names, "files[0]"));
    expect([res.status, await res.json()]).toEqual([
      400,
      {
        code: 50035,
        errors: { files: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 10 or fewer in length." }] } },
        message: "Invalid Form Body",
      },
    ]);
    expect(store.stored.length).toBe(10);
    expect(stanzas).toEqual([]);
  });
});
