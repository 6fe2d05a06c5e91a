// Where attachments are on, a format route takes bodies as large as its files (issue 21): the
// front door's bound for Discord's and the Apprise API's multipart is a file at
// attachments.max_file_bytes plus 1 MiB of fields, json://'s the same file in base64; fields stay
// within http.max_body_bytes and each file within max_file_bytes, answered in the sender's shape.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fakeGateway, type FakeGateway } from "../../helpers/fake-gateway.ts";
import { multipart } from "../../helpers/discord-fixtures.ts";

const HOOK = "/api/webhooks/1189/Zx9fK2mQ7rT4vW8yB3nD";
const ROUTES = `
http:
  public_url: https://gw.example.org
  max_body_bytes: 65536
attachments:
  max_file_bytes: 3000000
routes:
  - { preset: discord, path: ${HOOK}, to: bob@localhost }
  - { preset: apprise, path: /apprise, to: bob@localhost }
`;
/** Past http.max_body_bytes 30 times over, within max_file_bytes. */
const BIG = new Uint8Array(2_000_000).fill(0x42);

let gw: FakeGateway;
beforeAll(async () => void (gw = await fakeGateway(ROUTES)));
afterAll(() => gw.stop());

const oobMessages = (from: number) =>
  gw
    .stanzas()
    .slice(from)
    .filter((s) => s.getChild("x", "jabber:x:oob"));

describe("bodies as large as their files", () => {
  // A Discord webhook is a secret path: its route's own body limit holds there too (route-labels.ts).
  test("Discord: a 2 MB file passes http.max_body_bytes (64 KiB) and arrives as a file", async () => {
    const before = gw.stanzas().length;
    const res = await gw.request(HOOK, multipart('{"content":"log"}', ["big.txt"], "", BIG));
    expect(res.status).toBe(204);
    expect(oobMessages(before).map((s) => s.getChild("x", "jabber:x:oob")?.getChildText("desc"))).toEqual(["big.txt"]);
  });

  test("json://: a 2 MB file in base64 (2.7 MB of JSON) arrives as a file", async () => {
    const before = gw.stanzas().length;
    const body = JSON.stringify({ message: "log", attachments: [{ filename: "big.bin", base64: Buffer.from(BIG).toString("base64") }] });
    const res = await gw.request("/apprise", { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(res.status).toBe(201);
    expect(oobMessages(before).length).toBe(1);
  });

  test("the Apprise API: a 2 MB multipart file arrives; a 100 KB text field is still over http.max_body_bytes (431)", async () => {
    const before = gw.stanzas().length;
    const form = new FormData();
    form.append("body", "see file");
    form.append("attach", new Blob([BIG]), "big.bin");
    expect((await gw.request("/apprise/notify/k", { method: "POST", body: form })).status).toBe(200);
    expect(oobMessages(before).length).toBe(1);
    const long = new FormData();
    long.append("body", "x".repeat(100_000));
    expect((await gw.request("/apprise/notify/k", { method: "POST", body: long })).status).toBe(431);
  });

  test("a file over attachments.max_file_bytes is each sender's own 413: Discord's 40005, apprise-api's 431", async () => {
    const before = gw.stanzas().length;
    const huge = new Uint8Array(3_500_000);
    const discord = await gw.request(HOOK, multipart('{"content":"x"}', ["huge.png"], "", huge));
    expect([discord.status, await discord.json()]).toEqual([413, { message: "Request entity too large", code: 40005 }]);
    const form = new FormData();
    form.append("body", "x");
    form.append("attach", new Blob([huge]), "huge.bin");
    expect((await gw.request("/apprise/notify/k", { method: "POST", body: form })).status).toBe(431);
    expect(gw.stanzas().length).toBe(before);
  });
});
