// Two gateways on one PostgreSQL store (issue 26: replicas behind a balancer), each with
// http.public_url: a file a sender PUTs to ntfy through one is downloaded through the other byte
// for byte, a Range of it too; once it expires neither serves it; and an upload cut mid-body
// leaves nothing either of them could serve. In process, on a fake XMPP server each.
import { afterEach, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { waitFor } from "../../../testbed/timeouts.ts";
import { type FakeGateway, fakeGateway } from "../../helpers/fake-gateway.ts";
import { sha256 } from "../../helpers/file-store.ts";
import { usePostgresDatabases } from "../../helpers/postgres-databases.ts";

const routes = (expire: string) => `http:
  public_url: https://files.example.org
attachments:
  expire: ${expire}
routes:
  - preset: ntfy
    topics: { door: bob@localhost }
`;

/** 700,000 bytes that are not all the same: three chunks in the store, the last one short. */
const BYTES = Uint8Array.from({ length: 700_000 }, (_, i) => (i * 13 + (i >> 12)) % 256);

const databases = usePostgresDatabases("files_replicas");
let gateways: FakeGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.map((gw) => gw.stop()));
  gateways = [];
});

async function twoReplicas(expire = "7d"): Promise<{ url: string; a: FakeGateway; b: FakeGateway }> {
  const url = await databases.fresh();
  gateways = [await fakeGateway(routes(expire), { store: url }), await fakeGateway(routes(expire), { store: url })];
  const [a, b] = gateways as [FakeGateway, FakeGateway];
  return { url, a, b };
}

/** The path of the file link the last message of `gw` carries (XEP-0066 OOB). */
function linkOf(gw: FakeGateway): string {
  const url = gw
    .stanzas()
    .findLast((s) => s.getChild("x", "jabber:x:oob"))
    ?.getChild("x", "jabber:x:oob")
    ?.getChildText("url");
  if (!url) throw new Error("no message with a file link was sent");
  return new URL(url).pathname;
}

const put = (gw: FakeGateway, body: Uint8Array | ReadableStream<Uint8Array>) =>
  gw.request("/door", { method: "PUT", body, headers: { Filename: "cam.bin" }, duplex: "half" } as RequestInit);

const rows = async (url: string) => {
  const sql = new SQL(url);
  const [row] = await sql`SELECT (SELECT count(*) FROM files)::int AS files, (SELECT count(*) FROM file_blobs)::int AS blobs,
                                 (SELECT count(*) FROM file_chunks)::int AS chunks`;
  await sql.close();
  return row as { files: number; blobs: number; chunks: number };
};

describe("two gateways on one PostgreSQL store serve each other's files", () => {
  test("PUT through A, GET through B: the same bytes; a Range of them; HEAD its length", async () => {
    const { a, b } = await twoReplicas();
    expect((await put(a, BYTES)).status).toBe(200);
    const path = linkOf(a);
    const whole = await b.request(path);
    expect([whole.status, whole.headers.get("content-length")]).toEqual([200, String(BYTES.length)]);
    expect(sha256(new Uint8Array(await whole.arrayBuffer()))).toBe(sha256(BYTES));
    const part = await b.request(path, { headers: { range: "bytes=262000-524500" } });
    expect([part.status, part.headers.get("content-range")]).toEqual([206, `bytes 262000-524500/${BYTES.length}`]);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(BYTES.slice(262_000, 524_501));
    const head = await b.request(path, { method: "HEAD" });
    expect([head.status, head.headers.get("content-length"), (await head.arrayBuffer()).byteLength]).toEqual([200, "700000", 0]);
  });

  test("once the file expires, neither gateway serves it", async () => {
    const { a, b } = await twoReplicas("2s");
    expect((await put(a, BYTES)).status).toBe(200);
    const path = linkOf(a);
    expect((await b.request(path)).status).toBe(200);
    const gone = async () => (await a.request(path)).status === 404 && (await b.request(path)).status === 404;
    await waitFor(gone, 10_000, "the expired file to be refused by both gateways");
    expect(await (await b.request(path)).json()).toMatchObject({ code: "NOT_FOUND" });
  });

  test("an upload cut mid-body is refused, and leaves nothing either gateway serves or counts", async () => {
    const { url, a, b } = await twoReplicas();
    let sent = 0;
    const cut = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 600_000) return controller.error(new Error("connection reset"));
        sent += 100_000;
        controller.enqueue(BYTES.slice(sent - 100_000, sent));
      },
    });
    const answer = await put(a, cut);
    expect(answer.status).toBe(400);
    expect(a.stanzas().some((s) => s.getChild("x", "jabber:x:oob"))).toBe(false);
    expect(await rows(url)).toEqual({ files: 0, blobs: 0, chunks: 0 });
    // The whole file afterwards is stored as any other: nothing of the cut one is in its way.
    expect((await put(b, BYTES)).status).toBe(200);
    expect(sha256(new Uint8Array(await (await a.request(linkOf(b))).arrayBuffer()))).toBe(sha256(BYTES));
  });
});
