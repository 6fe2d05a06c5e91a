// `correct:` through a whole gateway on a real store file: huge keys do not grow the store, the
// request body limit still holds, and a store whose disk is full (a tiny tmpfs, filled) never
// turns a delivered message into a 500: the answer says the message went and its thread could not
// be saved, /health says the store is failing, and both recover once the disk has room again.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { fakeGateway, type FakeGateway } from "../helpers/fake-gateway.ts";
import { logTail } from "../helpers/gateway.ts";
import { waitFor } from "../../testbed/timeouts.ts";
import { canMountTmpfs, mountTinyDisk } from "../helpers/tiny-disk.ts";

const ROUTES = `
http:
  max_body_bytes: 300000
routes:
  - path: /alert
    correct: { key: body.group }
    send: <message to="ops@localhost" type="chat"><body>{{ body.status }}</body></message>
`;

let gw: FakeGateway | undefined;
let cleanup: Array<() => void> = [];
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
  for (const undo of cleanup.reverse()) undo();
  cleanup = [];
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sg-correct-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const post = (group: string, status = "firing") =>
  gw!.request("/alert", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ group, status }) });
const health = async () => {
  const res = await gw!.request("/health");
  return { status: res.status, store: ((await res.json()) as { store: { ok: boolean; error?: string } }).store };
};
const replaces = () => gw!.stanzas().at(-1)?.getChild("replace")?.attrs.id as string | undefined;
const bytesOf = (path: string) => ["", "-wal"].reduce((n, ext) => n + (statSync(`${path}${ext}`, { throwIfNoEntry: false })?.size ?? 0), 0);

describe("a huge correct: key", () => {
  test("is accepted and does not grow the store: 20 keys of 250 kB add less than 1 MB", async () => {
    const store = join(tempDir(), "s.db");
    gw = await fakeGateway(ROUTES, { store });
    const before = bytesOf(store);
    for (let n = 0; n < 20; n++) expect((await post(`${n}`.padEnd(250_000, "k"))).status).toBe(201);
    expect(bytesOf(store) - before).toBeLessThan(1_000_000);
    expect((await post("0".padEnd(250_000, "k"), "resolved")).status).toBe(201);
    expect(replaces()).toBe(gw.stanzas()[0]?.attrs.id);
  });

  test("still meets the request body limit: a body over http.max_body_bytes is 413", async () => {
    gw = await fakeGateway(ROUTES, { store: join(tempDir(), "s.db") });
    const res = await post("k".repeat(400_000));
    expect(res.status).toBe(413);
    expect(gw.stanzas()).toEqual([]);
  });
});

describe("a store whose disk is full, with the link up", () => {
  test.skipIf(!canMountTmpfs())(
    "a delivered message is answered 201 saying its thread was not saved; /health fails until the disk has room",
    async () => {
      const disk = mountTinyDisk();
      cleanup.push(disk.remove);
      gw = await fakeGateway(ROUTES, { store: join(disk.dir, "s.db") });
      expect((await post("g0")).status).toBe(201);
      disk.fill();

      const res = await post("g1");
      expect(res.status).toBe(201);
      const answer = (await res.json()) as { status: string; id: string; correction: { saved: boolean; error: string } };
      expect(answer).toMatchObject({ status: "sent", correction: { saved: false } });
      expect(answer.correction.error).toContain("the correction key could not be saved");
      expect(gw.stanzas().at(-1)?.attrs.id).toBe(answer.id);
      expect(gw.logs.some((l) => l.level === "warn" && l.route === "POST /alert" && String(l.msg).includes("could not be saved"))).toBe(
        true,
      );
      expect(await (await gw.request("/metrics")).text()).toContain('stanzagate_correct_store_failures_total{route="POST /alert"} 1');
      expect(await health()).toMatchObject({ status: 503, store: { ok: false } });

      // Refused before anything is sent: a 503 a client may retry without sending twice.
      const sent = gw.stanzas().length;
      const refused = await post("g2");
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ code: "STORE_UNAVAILABLE" });
      expect(gw.stanzas()).toHaveLength(sent);

      disk.free();
      await waitFor(
        () => gw!.logs.some((l) => l.msg === "the store can be written again"),
        15_000,
        "the store probe to succeed",
        logTail(gw.logs),
      );
      expect(await health()).toEqual({ status: 200, store: { ok: true } });
      expect((await post("g0", "still firing")).status).toBe(201);
      expect(replaces()).toBe(gw.stanzas()[0]?.attrs.id);
    },
  );
});

describe("a thread that cannot be looked up (before anything is sent)", () => {
  test("is 503 STORE_UNAVAILABLE and sends nothing: an uncorrected message would repeat the alert", async () => {
    const store = join(tempDir(), "s.db");
    gw = await fakeGateway(ROUTES, { store });
    expect((await post("g0")).status).toBe(201);
    const other = new Database(store);
    other.exec("DROP TABLE correct_threads");
    other.close();
    const sent = gw.stanzas().length;
    const res = await post("g0", "resolved");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: "STORE_UNAVAILABLE" });
    expect(gw.stanzas()).toHaveLength(sent);
  });
});
