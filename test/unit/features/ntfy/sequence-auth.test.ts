// preset: ntfy's sequence ids (ntfy 2.16): the same id corrects the message each recipient got
// first (XEP-0308), DELETE withdraws it (XEP-0424); and tokens where ntfy's senders put them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";

const TOKEN = "tk_0123456789abcdefghijklmnopqrs";
const ROUTES = `
auth:
  ntfy: { kind: bearer, tokens: [{ name: nas, token: ${TOKEN} }, { name: narrow, token: narrow-token-0123456789, allow: [bob@localhost] }] }
routes:
  - preset: ntfy
    auth: ntfy
    to: ops@localhost
    topics: { family: [alice@localhost, bob@localhost] }
`;
const BEARER = { Authorization: `Bearer ${TOKEN}` };

let gw: FakeGateway;
beforeAll(async () => void (gw = await fakeGateway(ROUTES)));
afterAll(() => gw.stop());

/** Sends, then gives the answer and the chat messages it caused. */
async function send(path: string, init: RequestInit = {}) {
  const before = gw.stanzas().length;
  const response = await gw.request(path, { method: "POST", ...init, headers: { ...BEARER, ...(init.headers as Record<string, string>) } });
  const sent = gw
    .stanzas()
    .slice(before)
    .filter((s) => s.name === "message");
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, sent };
}

const replaced = (s: Element) => s.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id;
const retracted = (s: Element) => s.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id;

describe("sequence ids", () => {
  test("a publish with the same X-Sequence-ID corrects each recipient's first message; the path form and sid work alike", async () => {
    const first = await send("/family", { body: "backup running", headers: { "X-Sequence-ID": "job-1" } });
    expect(first.json.sequence_id).toBe("job-1");
    const ids = first.sent.map((s) => s.attrs.id);
    const update = await send("/family/job-1", { body: "backup 50%" });
    expect(update.sent.map((s) => [s.attrs.to, replaced(s), s.getChildText("body")])).toEqual([
      ["alice@localhost", ids[0], "backup 50%"],
      ["bob@localhost", ids[1], "backup 50%"],
    ]);
    const last = await send("/family?sid=job-1", { body: "backup done" });
    expect(last.sent.map(replaced)).toEqual(ids);
  });

  test("a publish without a sequence id can be updated by its message id, as in ntfy", async () => {
    const first = await send("/family", { body: "v1" });
    const update = await send("/", {
      body: JSON.stringify({ topic: "family", message: "v2", sequence_id: first.json.id }),
      headers: { "Content-Type": "application/json" },
    });
    expect(update.sent.map(replaced)).toEqual(first.sent.map((s) => s.attrs.id));
  });

  test("DELETE /<topic>/<sequence id> retracts each recipient's first message, with a fallback body", async () => {
    const first = await send("/family", { body: "door open", headers: { "X-Sequence-ID": "door" } });
    await send("/family/door", { body: "door still open" });
    const withdrawn = await send("/family/door", { method: "DELETE" });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.json).toMatchObject({ event: "message_delete", topic: "family", sequence_id: "door" });
    expect(withdrawn.sent.map((s) => [s.attrs.to, retracted(s), s.getChildText("body")])).toEqual([
      ["alice@localhost", first.sent[0]?.attrs.id, "This message was withdrawn by its sender."],
      ["bob@localhost", first.sent[1]?.attrs.id, "This message was withdrawn by its sender."],
    ]);
    expect((await send("/family/door", { method: "DELETE" })).status).toBe(404);
    expect((await send("/family/door", { body: "door open again" })).sent.map(replaced)).toEqual([undefined, undefined]);
  });

  test("a sequence id of another topic never touches this one", async () => {
    await send("/family", { body: "family news", headers: { "X-Sequence-ID": "shared" } });
    const other = await send("/other", { body: "other news", headers: { "X-Sequence-ID": "shared" } });
    expect(other.sent.map(replaced)).toEqual([undefined]);
    const withdrawn = await send("/nothing-here/shared", { method: "DELETE" });
    expect(withdrawn).toMatchObject({ status: 404, json: { code: 40401 }, sent: [] });
  });
});

describe("tokens where ntfy's senders put them", () => {
  const plain = (path: string, headers: Record<string, string> = {}) => gw.request(path, { method: "POST", body: "x", headers });
  const b64url = (s: string) => Buffer.from(s).toString("base64url");

  test("Authorization: Bearer, ?auth= (base64url of the header, no padding) and Basic with an empty user", async () => {
    expect((await plain("/family", BEARER)).status).toBe(200);
    expect((await plain(`/family?auth=${b64url(`Bearer ${TOKEN}`)}`)).status).toBe(200);
    expect((await plain("/family", { Authorization: `Basic ${Buffer.from(`:${TOKEN}`).toString("base64")}` })).status).toBe(200);
  });

  test("none, a wrong one, or an ?auth= that is not one: 401 in ntfy's shape", async () => {
    const unauthorized = { code: 40101, http: 401, error: "unauthorized", link: "https://ntfy.sh/docs/publish/#authentication" };
    expect(await (await plain("/family")).json()).toEqual(unauthorized);
    expect(await (await plain("/family", { Authorization: "Bearer tk_wrong" })).json()).toEqual(unauthorized);
    const garbage = await plain("/family?auth=!!!");
    expect([garbage.status, ((await garbage.json()) as { code: number }).code]).toEqual([401, 40101]);
  });

  test("a token allowed fewer recipients than the topic has: 403 40301, nothing sent", async () => {
    const before = gw.stanzas().length;
    const response = await plain("/family", { Authorization: "Bearer narrow-token-0123456789" });
    expect([response.status, ((await response.json()) as { code: number }).code]).toEqual([403, 40301]);
    expect(gw.stanzas().length).toBe(before);
  });
});
