// A refused request leaves nothing in the file store (review of issue 21, finding 4): the files it
// stored before the refusal (the ten before Discord's eleventh, one before a file too large, one
// before a field the route refuses) are forgotten, in every format and the declarative routes, so
// they neither count against attachments.quota_bytes nor stay until they expire.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { fakeGateway, type FakeGateway } from "../../helpers/fake-gateway.ts";
import { withRequestFiles } from "../../../src/files/request-files.ts";
import type { FilesPort, StoredFile } from "../../../src/files/types.ts";
import { GatewayError } from "../../../src/plugin-api/errors.ts";

const DISCORD = "/api/webhooks/1/3f9c2a7be41d4e8f9b0c6d5a";

const ROUTES = `
http: { public_url: "https://gw.example.org" }
attachments: { max_file_bytes: 100000 }
routes:
  - { preset: ntfy, topics: { door: alice@localhost } }
  - path: /snapshot
    attach: file
    body: { text: string? }
    send: '<message to="alice@localhost" type="chat"><body>{{ body.text | default: "Snapshot" }}</body></message>'
  - { preset: discord, path: ${DISCORD}, to: alice@localhost }
  - { preset: apprise, path: /apprise, to: alice@localhost }
`;

let gw: FakeGateway;
beforeAll(async () => void (gw = await fakeGateway(ROUTES)));
afterAll(() => gw.stop());

/** What the store holds, as /health says (every stored file counted once). */
async function used(): Promise<number> {
  const health = (await (await gw.request("/health")).json()) as { plugins: Array<{ plugin: string; used_bytes: number }> };
  return health.plugins.find((p) => p.plugin === "files")?.used_bytes ?? Number.NaN;
}

/** Bytes no other test sends: a file that is stored is counted. */
const unique = (size: number) => new Blob([randomBytes(size)]);

/** Sends `request`, expects `status` (and the format's `code`), and says how much the store grew meanwhile. */
async function growth(status: number, request: () => Promise<Response>, code?: string | number): Promise<number> {
  const before = await used();
  const response = await request();
  expect(response.status).toBe(status);
  if (code !== undefined) expect(((await response.json()) as { code: unknown }).code).toBe(code);
  return (await used()) - before;
}

describe("Discord", () => {
  test("eleven files: 400 50035, and the ten stored before the eleventh are forgotten", async () => {
    const form = new FormData();
    form.append("payload_json", JSON.stringify({ content: "eleven" }));
    for (let i = 0; i < 11; i++) form.append(`files[${i}]`, unique(1000), `f${i}.bin`);
    expect(await growth(400, () => gw.request(DISCORD, { method: "POST", body: form }), 50035)).toBe(0);
  });

  test("a first file of 5,000 bytes, a second over max_file_bytes: 413, and the first is forgotten", async () => {
    const form = new FormData();
    form.append("files[0]", unique(5000), "small.bin");
    form.append("files[1]", unique(150_000), "big.bin");
    expect(await growth(413, () => gw.request(DISCORD, { method: "POST", body: form }))).toBe(0);
  });
});

test("declarative route: a file, then a field its body: does not take: 400 INVALID_BODY, and the file is forgotten", async () => {
  const form = new FormData();
  form.append("file", unique(3000), "orph.bin");
  form.append("bogus", "1");
  expect(await growth(400, () => gw.request("/snapshot", { method: "POST", body: form }), "INVALID_BODY")).toBe(0);
});

test("ntfy: a file with a priority ntfy refuses: 400 40007, and the file is forgotten", async () => {
  const put = () => gw.request("/door", { method: "PUT", body: unique(6000), headers: { Filename: "a.bin", Priority: "9" } });
  expect(await growth(400, put, 40007)).toBe(0);
});

test("Apprise json://: an inline file, then one over max_file_bytes: 413, and the first is forgotten", async () => {
  const attachments = [unique(2000), unique(150_000)].map(async (b, i) => ({
    filename: `a${i}.bin`,
    base64: Buffer.from(await b.arrayBuffer()).toString("base64"),
    mimetype: "application/octet-stream",
  }));
  const body = JSON.stringify({ version: "1.0", title: "t", message: "m", type: "info", attachments: await Promise.all(attachments) });
  const post = () => gw.request("/apprise", { method: "POST", headers: { "content-type": "application/json" }, body });
  expect(await growth(413, post, "FILE_TOO_LARGE")).toBe(0);
});

test("a request that is not refused keeps its files", async () => {
  const form = new FormData();
  form.append("file", unique(4000), "kept.bin");
  expect(await growth(201, () => gw.request("/snapshot", { method: "POST", body: form }))).toBe(4000);
});

describe("withRequestFiles, which every format runs a request through", () => {
  const port = (): FilesPort & { forgotten: string[] } => {
    const forgotten: string[] = [];
    const file = (id: string): StoredFile => ({
      id,
      name: id,
      type: "text/plain",
      size: 1,
      sha256: "0".repeat(64),
      url: `https://gw/files/${id}`,
    });
    return {
      forgotten,
      put: async (f) => file(f.name ?? "put"),
      remote: async (url) => ({ kind: "file", file: file(url) }),
      forget: async (files) => void forgotten.push(...files.map((f) => f.id)),
    };
  };
  const body = () => new Blob(["x"]).stream();

  test("a refusal forgets what was put and what was fetched into the store, and is thrown on", async () => {
    const files = port();
    const refused = withRequestFiles(files, async (scoped) => {
      await scoped?.put({ body: body(), name: "a" }, "s");
      await scoped?.remote("r", "s");
      throw new GatewayError("INVALID_BODY");
    });
    await expect(refused).rejects.toMatchObject({ code: "INVALID_BODY" });
    expect(files.forgotten).toEqual(["a", "r"]);
  });

  test("a refusal after some messages went (delivered) keeps the files they link to", async () => {
    const files = port();
    await withRequestFiles(files, async (scoped) => {
      await scoped?.put({ body: body(), name: "a" }, "s");
      throw new GatewayError("LINK_DOWN", undefined, { details: { delivered: ["m1"] } });
    }).catch(() => {});
    expect(files.forgotten).toEqual([]);
  });
});
