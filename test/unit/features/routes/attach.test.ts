// A declarative route's `attach:` (issue 21 §1): `curl -F file=@snapshot.jpg` and a camera's raw
// JPEG body become files sent after the route's messages, one XEP-0066 message each.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BUILTIN_PLUGINS } from "../../../../plugins/index.ts";
import { loadConfig } from "../../../../src/features/index.ts";
import { FAKE_HEAD, fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";
import { PNG_1X1, sha256 } from "../../../helpers/file-store.ts";

const ROUTES = `
http:
  public_url: https://gw.example.org
routes:
  - path: /snapshot
    attach: file
    body: { text: string? }
    send: '<message to="alice@localhost" type="chat"><body>{{ body.text | default: "Snapshot" }}</body></message>'
  - path: /camera
    attach: body
    send: '<message to="alice@localhost" type="chat"><body>Motion at {{ query.where }}</body></message>'
`;

let gw: FakeGateway;
beforeAll(async () => void (gw = await fakeGateway(ROUTES)));
afterAll(() => gw.stop());

async function post(path: string, init: RequestInit) {
  const before = gw.stanzas().length;
  const response = await gw.request(path, { method: "POST", ...init });
  const sent = gw
    .stanzas()
    .slice(before)
    .filter((s) => s.name === "message");
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, sent };
}

const served = async (url: string) => sha256(await (await gw.request(new URL(url).pathname)).arrayBuffer());

describe("attach: on a declarative route", () => {
  test("a multipart file field: the message, then the file's message; its other fields are the body", async () => {
    const form = new FormData();
    form.append("text", "Someone at the door");
    form.append("file", new Blob([PNG_1X1]), "snapshot.jpg");
    const { status, json, sent } = await post("/snapshot", { body: form });
    expect(status).toBe(201);
    const [file] = json.files as Array<{ name: string; type: string; url: string; sha256: string }>;
    expect(file).toMatchObject({ name: "snapshot.png", type: "image/png", sha256: sha256(PNG_1X1) });
    expect(sent.map((s) => s.getChildText("body"))).toEqual(["Someone at the door", String(file?.url)]);
    expect(sent[1]?.getChild("x", "jabber:x:oob")?.getChildText("url")).toBe(file?.url as string);
    expect(await served(file?.url as string)).toBe(sha256(PNG_1X1));
  });

  test("a raw body named by ?filename=", async () => {
    const { json, sent } = await post("/camera?where=garden&filename=cam.jpg", {
      body: PNG_1X1,
      headers: { "content-type": "image/jpeg" },
    });
    const [file] = json.files as Array<{ name: string; url: string }>;
    expect(file?.name).toBe("cam.png");
    expect(sent.map((s) => s.getChildText("body"))).toEqual(["Motion at garden", String(file?.url)]);
  });

  test("a truncated multipart body is 400 and nothing is sent", async () => {
    const boundary = "XyZ";
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n${"x".repeat(1000)}`;
    const { status, json, sent } = await post("/snapshot", {
      body,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    });
    expect(status).toBe(400);
    expect(json.error).toContain("no final boundary");
    expect(sent).toEqual([]);
  });

  test("text fields are held to http.max_body_bytes together, cut as they stream: 413", async () => {
    const form = new FormData();
    form.append("text", "x".repeat(2_000_000));
    form.append("file", new Blob([PNG_1X1]), "a.png");
    const { status, json, sent } = await post("/snapshot", { body: form });
    expect([status, json.code]).toEqual([413, "BODY_TOO_LARGE"]);
    expect(sent).toEqual([]);
  });

  test("a file in a field the route does not attach is refused, naming it", async () => {
    const form = new FormData();
    form.append("other", new Blob(["x"]), "x.txt");
    const { status, json } = await post("/snapshot", { body: form });
    expect(status).toBe(400);
    expect(json.error).toBe('The file field "other" is not one this route attaches (attach: file)');
  });

  test("more than 10 files: 400 FILES_TOO_MANY in the route's shape, the eleventh not stored, nothing sent", async () => {
    const form = new FormData();
    for (let i = 0; i < 12; i++) form.append("file", new Blob([PNG_1X1, new Uint8Array([i])]), `f${i}.png`);
    const used = async () => {
      const health = (await (await gw.request("/health")).json()) as { plugins: Array<{ plugin: string; used_bytes?: number }> };
      return health.plugins.find((p) => p.plugin === "files")?.used_bytes ?? 0;
    };
    const before = await used();
    const { status, json, sent } = await post("/snapshot", { body: form });
    expect([status, json]).toEqual([
      400,
      { error: "More files than one notification carries (10, as Discord allows in a message)", code: "FILES_TOO_MANY", max_files: 10 },
    ]);
    expect(sent).toEqual([]);
    // Refused before the eleventh is read: ten stored at most (forgetting those is the refusal's cleanup).
    expect((await used()) - before).toBeLessThanOrEqual(10 * (PNG_1X1.length + 1));
  });

  test("/openapi.json describes the multipart form with the file field, and the raw body", async () => {
    const doc = (await (await gw.request("/openapi.json")).json()) as {
      paths: Record<string, { post: { requestBody: { content: Record<string, unknown> } } }>;
    };
    expect(doc.paths["/snapshot"]?.post.requestBody.content["multipart/form-data"]).toEqual({
      schema: { type: "object", properties: { text: expect.anything(), file: { type: "string", format: "binary" } } },
    });
    expect(Object.keys(doc.paths["/camera"]?.post.requestBody.content ?? {})).toContain("*/*");
  });

  test("without http.public_url, check refuses attach: and says what to set", () => {
    const result = loadConfig(
      `${FAKE_HEAD}routes:\n  - path: /s\n    attach: file\n    send: <message to="a@localhost"><body>x</body></message>\n`,
      {},
      BUILTIN_PLUGINS,
    );
    expect(result.ok ? [] : result.diagnostics.map((d) => `${d.path}: ${d.message}`)).toEqual([
      "routes[0].attach: attach: needs http.public_url: the URL chat clients reach this listener at, which the links to the files start with",
    ]);
  });
});
