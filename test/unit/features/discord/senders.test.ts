// Discord webhook edits and deletions on replicas sharing one store, each its own component
// domain: clients take a correction (XEP-0308 §5) or a retraction (XEP-0424 §6) from the original
// sender only. A PATCH through another replica is a new message the later edits correct; a DELETE
// through it forgets the message, sends nothing, logs and counts
// stanzagate_discord_retractions_skipped_total.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Element } from "ltx";
import { fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";

const HOOK = "/api/webhooks/1189/Zx9fK2mQ7rT4vW8yB3nD";
const ROUTES = `
routes:
  - { preset: discord, path: ${HOOK}, to: bob@localhost }
`;

const dir = mkdtempSync(join(tmpdir(), "sg-discord-senders-"));
let r1: FakeGateway;
let r2: FakeGateway;
beforeAll(async () => {
  const store = join(dir, "store.db");
  r1 = await fakeGateway(ROUTES, { store, component: "r1.localhost" });
  r2 = await fakeGateway(ROUTES, { store, component: "r2.localhost" });
});
afterAll(async () => {
  await Promise.all([r1.stop(), r2.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

/** One request through a replica: its status, and the one chat message it sent, if any. */
async function through(gw: FakeGateway, method: string, path: string, content?: string) {
  const before = gw.stanzas().length;
  const init =
    content === undefined ? { method } : { method, headers: { "content-type": "application/json" }, body: JSON.stringify({ content }) };
  const response = await gw.request(path, init);
  const sent = gw
    .stanzas()
    .slice(before)
    .filter((s) => s.name === "message");
  const body = response.status === 200 ? ((await response.json()) as { id: string }) : undefined;
  return { status: response.status, id: body?.id, sent };
}

const replaced = (s: Element | undefined) => s?.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id;
const retracted = (s: Element | undefined) => s?.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id;

describe("a Discord webhook shared by replicas with their own component domains", () => {
  test("a PATCH through another replica is a new message from it, which later edits correct", async () => {
    const posted = await through(r1, "POST", `${HOOK}?wait=true`, "deploy 1/3");
    const message = `${HOOK}/messages/${posted.id}`;
    const [moved] = (await through(r2, "PATCH", message, "deploy 2/3")).sent;
    expect(moved?.attrs.from).toBe("r2.localhost");
    expect(replaced(moved)).toBeUndefined();
    const [next] = (await through(r2, "PATCH", message, "deploy 3/3")).sent;
    expect(replaced(next)).toBe(moved?.attrs.id);
    // Back through the first replica: a new message again, not a correction of its own old one.
    const [back] = (await through(r1, "PATCH", message, "deploy done")).sent;
    expect(replaced(back)).toBeUndefined();
  });

  test("DELETE through another replica forgets the message and sends nothing, said in the log and counted", async () => {
    const posted = await through(r1, "POST", `${HOOK}?wait=true`, "disk full");
    const message = `${HOOK}/messages/${posted.id}`;
    expect(await through(r2, "DELETE", message)).toEqual({ status: 204, id: undefined, sent: [] });
    expect(r2.logs.some((l) => l.sender === "r1.localhost" && l.message_id === posted.id)).toBe(true);
    expect(await (await r2.request("/metrics")).text()).toContain("stanzagate_discord_retractions_skipped_total 1");
    // The message is gone everywhere: it cannot be withdrawn twice.
    expect((await through(r1, "DELETE", message)).status).toBe(404);
  });

  test("DELETE through the replica that sent the message retracts from its domain", async () => {
    const posted = await through(r1, "POST", `${HOOK}?wait=true`, "load high");
    const [retraction] = (await through(r1, "DELETE", `${HOOK}/messages/${posted.id}`)).sent;
    expect(retraction?.attrs.from).toBe("r1.localhost");
    expect(retracted(retraction)).toBe(posted.sent[0]?.attrs.id);
  });
});
