// Store faults are loud and bounded, with a real file: an immutable store (chattr +i) answers 503
// STORE_UNAVAILABLE and turns /health to 503 until it can be written again; a missing store
// directory stops start-up with one line naming it.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProsody } from "../../testbed/prosody.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { configHead, startGateway, type TestGateway } from "../helpers/gateway.ts";
import { waitFor } from "../../testbed/timeouts.ts";

const ROUTES = `
routes:
  - path: /say
    body: { n: integer }
    send: <message to="bob@localhost" type="chat"><body>message {{ body.n }}</body></message>
`;

let prosody: XmppServer | undefined;
let gw: TestGateway | undefined;
let immutable: string[] = [];

const chattr = (flag: "+i" | "-i", files: string[]) => Bun.spawnSync(["chattr", flag, ...files]).exitCode;

afterEach(async () => {
  if (immutable.length) chattr("-i", immutable);
  immutable = [];
  await gw?.stop();
  await prosody?.stop();
  [gw, prosody] = [undefined, undefined];
});

const say = (n: number) => gw!.post("/say", { headers: { "content-type": "application/json" }, body: JSON.stringify({ n }) });
const health = async () => {
  const res = await fetch(`${gw!.url}/health`);
  return { status: res.status, body: (await res.json()) as { store: { ok: boolean; error?: string } } };
};

describe("a store that cannot be written", () => {
  const canChattr = Bun.which("chattr") !== null && process.getuid?.() === 0;

  test.skipIf(!canChattr)(
    "an immutable store file (and WAL; not the mmap.d -shm, which would SIGBUS) answers 503 STORE_UNAVAILABLE, and recovers once writable",
    async () => {
      prosody = await startProsody();
      const dir = mkdtempSync(join(tmpdir(), "sg-ro-"));
      gw = await startGateway(prosody, { routes: ROUTES, store: join(dir, "s.db") });
      await prosody.stopProcess();
      await waitFor(() => gw!.gateway.link.status !== "online", 15_000, "the link to drop");
      expect((await say(1)).status).toBe(202);

      immutable = ["s.db", "s.db-wal"].map((f) => join(dir, f));
      expect(chattr("+i", immutable)).toBe(0);
      const refused = await say(2);
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ code: "STORE_UNAVAILABLE" });
      const faulty = await health();
      expect(faulty.status).toBe(503);
      expect(faulty.body.store.ok).toBe(false);

      chattr("-i", immutable);
      immutable = [];
      await waitFor(() => gw!.gateway.link.status === "offline" && gw!.gateway.delivery.queued === 1, 15_000, "the queue to be intact");
      await waitFor(async () => (await health()).body.store.ok === true, 10_000, "the store to be ok again", undefined, 100);
      expect((await health()).body.store).toEqual({ ok: true });
      expect((await say(3)).status).toBe(202);
    },
  );
});

describe("start-up", () => {
  test("a missing store directory: stanzagate exits 1 with one line naming it", async () => {
    prosody = await startProsody();
    const dir = mkdtempSync(join(tmpdir(), "sg-nodir-"));
    const missing = join(dir, "gone");
    const config = join(dir, "routes.yaml");
    writeFileSync(config, configHead(prosody, join(missing, "s.db")) + ROUTES);
    const proc = Bun.spawn([process.execPath, "src/main.ts", "--config", config], { stderr: "pipe", stdout: "pipe" });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      `${config}: cannot start: the store directory ${missing} does not exist (store: ${join(missing, "s.db")})`,
    ]);
  });
});
