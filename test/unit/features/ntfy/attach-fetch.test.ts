// ntfy's `Attach: <url>` with attachments.remote.fetch on (issue 21 §5): the gateway fetches the
// URL through its guard, and the chat links to the gateway's copy; a URL the guard refuses is
// refused in ntfy's error shape, naming the rule, and nothing reaches the chat.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";
import { PNG_1X1, sha256 } from "../../../helpers/file-store.ts";
import { FETCHING_NTFY, startCamera } from "../../../helpers/remote-files.ts";

const camera = startCamera();
const ROUTES = `
http:
  public_url: https://gw.example.org
${FETCHING_NTFY}`;

let gw: FakeGateway;
beforeAll(async () => void (gw = await fakeGateway(ROUTES)));
afterAll(() => (gw.stop(), camera.stop(true)));

async function publish(attach: string) {
  const before = gw.stanzas().length;
  const response = await gw.request("/door", { method: "POST", body: "Someone at the door", headers: { Attach: attach } });
  const sent = gw
    .stanzas()
    .slice(before)
    .filter((s) => s.name === "message");
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, sent };
}

describe("Attach: fetched by the gateway", () => {
  test("the chat gets the gateway's copy of the file, with the bytes the camera sent", async () => {
    const url = `http://127.0.0.1:${camera.port}/snapshot.png`;
    const { status, json, sent } = await publish(url);
    expect(status).toBe(200);
    const copy = sent[1]?.getChildText("body") ?? "";
    expect(copy).toMatch(/^https:\/\/gw\.example\.org\/files\/[0-9a-f]{32}\/snapshot\.png$/);
    // ntfy's answer describes what the chat got, as for a file sent in the body: the stored copy.
    expect(json.attachment).toEqual({ name: "snapshot.png", type: "image/png", size: PNG_1X1.length, url: copy });
    expect(sent.map((s) => s.getChildText("body"))).toEqual(["Someone at the door", copy]);
    expect(sent[1]?.getChild("x", "jabber:x:oob")?.getChildText("url")).toBe(copy);
    const served = await gw.request(new URL(copy).pathname);
    expect(sha256(await served.arrayBuffer())).toBe(sha256(PNG_1X1));
  });

  test("a URL the guard refuses is ntfy's 400 naming the rule, and nothing is sent", async () => {
    const { status, json, sent } = await publish("http://169.254.169.254/latest/meta-data/");
    expect(status).toBe(400);
    expect(json).toEqual({
      code: 40000,
      http: 400,
      error:
        "The gateway does not fetch http://169.254.169.254: 169.254.169.254 is a link-local address (RFC 3927; cloud metadata services live here), which attachments.remote.allow does not list",
    });
    expect(sent).toEqual([]);
  });
});
