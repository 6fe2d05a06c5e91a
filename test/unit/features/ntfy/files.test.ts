// ntfy's files (issue 21 §1), with http.public_url set: a PUT of a file, a file name header or
// query, a body over 4,096 bytes, and a JSON message over it each become a stored file the chat
// gets as an XEP-0066 message after ntfy's "You received a file" text; the file is served back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";
import { PNG_1X1, sha256 } from "../../../helpers/file-store.ts";
import { messagesOf } from "../../../helpers/fake-replicas.ts";

const ROUTES = `
http:
  public_url: https://gw.example.org
attachments:
  max_file_bytes: 100000
routes:
  - preset: ntfy
    topics:
      door: alice@localhost
`;

let gw: FakeGateway;
beforeAll(async () => void (gw = await fakeGateway(ROUTES)));
afterAll(() => gw.stop());

async function publish(path: string, init: RequestInit) {
  const { response, sent } = await messagesOf(gw, path, init);
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, sent };
}

const oobOf = (s: Element | undefined) => s?.getChild("x", "jabber:x:oob");

/** The served bytes of a URL the gateway made (its path, asked of the gateway itself). */
async function fetched(url: string): Promise<Response> {
  return gw.request(new URL(url).pathname);
}

describe("a file published to ntfy", () => {
  test("PUT with Filename: stored under its sniffed type, ntfy's attachment JSON, the text then the file's message", async () => {
    const { status, json, sent } = await publish("/door", {
      method: "PUT",
      body: PNG_1X1,
      headers: { Filename: "door.exe", Title: "Ding dong" },
    });
    expect(status).toBe(200);
    const attachment = json.attachment as Record<string, unknown>;
    expect(attachment).toMatchObject({ name: "door.png", type: "image/png", size: PNG_1X1.length });
    expect(attachment.url).toMatch(/^https:\/\/gw\.example\.org\/files\/[0-9a-f]{32}\/door\.png$/);
    expect(json.message).toBe("You received a file: door.png");
    expect(sent.map((s) => s.getChildText("body"))).toEqual(["*Ding dong*\nYou received a file: door.png", attachment.url as string]);
    expect(oobOf(sent[1])?.getChildText("url")).toBe(attachment.url as string);
    expect(oobOf(sent[1])?.getChildText("desc")).toBe("door.png");
    const served = await fetched(attachment.url as string);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(sha256(await served.arrayBuffer())).toBe(sha256(PNG_1X1));
  });

  test("?filename= names it too, and X-Message is the text sent with it", async () => {
    const { json, sent } = await publish("/door?filename=build.log", {
      method: "POST",
      body: "ok\n",
      headers: { "X-Message": "nightly build" },
    });
    expect((json.attachment as Record<string, unknown>).name).toBe("build.log");
    expect(sent.map((s) => s.getChildText("body"))[0]).toBe("nightly build");
  });

  test("a body over 4,096 bytes is attachment.txt, as ntfy names it", async () => {
    const log = "line of a long log\n".repeat(300);
    const { json, sent } = await publish("/door", { method: "POST", body: log });
    expect(json.attachment).toMatchObject({ name: "attachment.txt", type: "text/plain; charset=utf-8", size: log.length });
    expect(sent).toHaveLength(2);
    expect(await (await fetched((json.attachment as { url: string }).url)).text()).toBe(log);
  });

  test("a JSON publish whose message passes 4,096 bytes is a text file too", async () => {
    const message = "x".repeat(5000);
    const { status, json } = await publish("/", { method: "POST", body: JSON.stringify({ topic: "door", message }) });
    expect(status).toBe(200);
    expect(json.attachment).toMatchObject({ name: "attachment.txt", size: 5000 });
  });

  test("a file over attachments.max_file_bytes is ntfy's 41301, declared or not, and nothing is sent", async () => {
    const declared = await publish("/door", { method: "PUT", body: new Uint8Array(100_001), headers: { Filename: "big.bin" } });
    expect(declared.status).toBe(413);
    expect(declared.json).toMatchObject({ code: 41301, http: 413 });
    expect(declared.sent).toEqual([]);
    const chunked = new Blob([new Uint8Array(200_000)]).stream();
    const streamed = await publish("/door", { method: "PUT", body: chunked, headers: { Filename: "big.bin" } });
    expect(streamed.status).toBe(413);
    expect(streamed.json.code).toBe(41301);
    expect(streamed.sent).toEqual([]);
  });
});

describe("a file under a sequence id", () => {
  test("an update corrects the text and the file's message; a withdrawal retracts both", async () => {
    const first = await publish("/door/snap-1", { method: "PUT", body: PNG_1X1, headers: { Filename: "a.png" } });
    const [text, file] = first.sent.map((s) => s.attrs.id as string);
    const update = await publish("/door/snap-1", { method: "PUT", body: PNG_1X1, headers: { Filename: "b.png" } });
    expect(update.sent.map((s) => s.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id)).toEqual([text, file]);
    const withdrawn = await publish("/door/snap-1", { method: "DELETE" });
    expect(withdrawn.sent.map((s) => s.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id)).toEqual([text, file]);
  });
});

describe("a sequence whose corrections add and drop files", () => {
  const replaced = (r: { sent: Element[] }) =>
    r.sent.map((s) => s.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id ?? null) as Array<string | null>;
  const retracted = (r: { sent: Element[] }) =>
    r.sent.map((s) => s.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id ?? null) as Array<string | null>;

  test("each correction's file messages are remembered: corrected, withdrawn, and a file after a withdrawal is new", async () => {
    const first = await publish("/door/s-merge", { method: "POST", body: "first" });
    const text = first.sent[0]?.attrs.id as string;
    // A file added by a correction: the text corrected, the file a new message.
    const a = await publish("/door/s-merge", { method: "PUT", body: PNG_1X1, headers: { Filename: "a.png" } });
    expect(replaced(a)).toEqual([text, null]);
    const aFile = a.sent[1]?.attrs.id as string;
    // The next file corrects a.png's message, not a new one.
    const b = await publish("/door/s-merge", { method: "PUT", body: PNG_1X1, headers: { Filename: "b.png" } });
    expect(replaced(b)).toEqual([text, aFile]);
    // Text alone: the file's message is withdrawn, and forgotten.
    const third = await publish("/door/s-merge", { method: "POST", body: "third" });
    expect([replaced(third), retracted(third)]).toEqual([
      [text, null],
      [null, aFile],
    ]);
    // A file after that is a new message, never a correction of the withdrawn one.
    const c = await publish("/door/s-merge", { method: "PUT", body: PNG_1X1, headers: { Filename: "c.png" } });
    expect(replaced(c)).toEqual([text, null]);
    const cFile = c.sent[1]?.attrs.id as string;
    // The withdrawal reaches the text and the file the sequence shows now.
    const withdrawn = await publish("/door/s-merge", { method: "DELETE" });
    expect(retracted(withdrawn)).toEqual([text, cFile]);
  });
});

describe("a file to a route with auth", () => {
  test("refused before it is stored: no credentials (401), a token that may not address the topic's JIDs (403)", async () => {
    const locked = await fakeGateway(`
http:
  public_url: https://gw.example.org
auth:
  ntfy: { kind: bearer, tokens: [{ name: cam, token: tk_0123456789abcdef0123, allow: ["*@elsewhere"] }] }
routes:
  - { preset: ntfy, auth: ntfy, topics: { door: alice@localhost } }
`);
    const put = (headers: Record<string, string>) =>
      locked.request("/door", { method: "PUT", body: PNG_1X1, headers: { Filename: "a.png", ...headers } });
    try {
      expect((await put({})).status).toBe(401);
      const forbidden = await put({ Authorization: "Bearer tk_0123456789abcdef0123" });
      expect([forbidden.status, ((await forbidden.json()) as { code: number }).code]).toEqual([403, 40301]);
      const health = (await (await locked.request("/health")).json()) as { plugins: Array<{ plugin: string; used_bytes?: number }> };
      expect(health.plugins.find((p) => p.plugin === "files")?.used_bytes).toBe(0);
    } finally {
      await locked.stop();
    }
  });
});
