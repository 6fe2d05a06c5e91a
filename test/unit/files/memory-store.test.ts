// store: ":memory:" keeps the files in a temporary folder (generation/files.ts): its rows die with
// the gateway, so the folder goes when the gateway stops (review of issue 21, finding 9), instead
// of piling up in /tmp with every file each test run or demo sent.
import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fakeGateway } from "../../helpers/fake-gateway.ts";
import { PNG_1X1 } from "../../helpers/file-store.ts";

const ROUTES = "http:\n  public_url: https://gw.example.org\nroutes:\n  - preset: ntfy\n    topics: { door: alice@localhost }\n";

test('store: ":memory:": the files folder holds the files while the gateway runs, and is removed when it stops', async () => {
  const saved = process.env.TMPDIR;
  // A temporary directory of this test's own, so that other gateways' folders are not counted.
  const tmp = mkdtempSync(join(tmpdir(), "sg-tmpdir-"));
  process.env.TMPDIR = tmp;
  try {
    const gw = await fakeGateway(ROUTES);
    const put = await gw.request("/door", { method: "PUT", body: PNG_1X1, headers: { Filename: "a.png" } });
    expect(put.status).toBe(200);
    const [folder, ...others] = readdirSync(tmp);
    expect(folder).toStartWith("stanzagate-files-");
    expect(others).toEqual([]);
    expect(readdirSync(join(tmp, folder as string)).length).toBeGreaterThan(1);
    await gw.stop();
    expect(readdirSync(tmp)).toEqual([]);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(tmp, { recursive: true, force: true });
  }
});
