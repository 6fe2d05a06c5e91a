// Discord webhook edits and deletions on replicas sharing one store, each its own component
// domain: clients take a correction (XEP-0308 §5) or a retraction (XEP-0424 §6) from the original
// sender only. A PATCH through another replica is a new message the later edits correct; a DELETE
// through it forgets the message, sends nothing, logs and counts
// stanzagate_discord_retractions_skipped_total.
import { describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import type { FakeGateway } from "../../../helpers/fake-gateway.ts";
import { messagesOf, useFakeReplicas } from "../../../helpers/fake-replicas.ts";

const HOOK = "/api/webhooks/1189/Zx9fK2mQ7rT4vW8yB3nD";
const ROUTES = `
routes:
  - { preset: discord, path: ${HOOK}, to: bob@localhost }
`;

const [r1, r2] = useFakeReplicas(ROUTES, ["r1.localhost", "r2.localhost"]) as [FakeGateway, FakeGateway];

/** One request through a replica: its status, the id it answered (200), and the chat messages it sent. */
async function through(gw: FakeGateway, method: string, path: string, content?: string) {
  const init =
    content === undefined ? { method } : { method, headers: { "content-type": "application/json" }, body: JSON.stringify({ content }) };
  const { response, sent } = await messagesOf(gw, path, init);
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
