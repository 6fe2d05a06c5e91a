// ntfy sequence ids on replicas sharing one store, each its own component domain: an update or a
// DELETE comes from the sender of the message it changes, the only one clients take a correction
// (XEP-0308 §5) or a retraction (XEP-0424 §6) from. An update through another replica is a new
// message the sequence goes on from; a DELETE through it forgets the sequence, sends nothing,
// logs and counts stanzagate_ntfy_retractions_skipped_total.
import { describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import type { FakeGateway } from "../../../helpers/fake-gateway.ts";
import { messagesOf, useFakeReplicas } from "../../../helpers/fake-replicas.ts";
import { sequences } from "../../../../src/features/ntfy/sequences.ts";

const ROUTES = `
routes:
  - { preset: ntfy, to: bob@localhost }
`;

const [r1, r2] = useFakeReplicas(ROUTES, ["r1.localhost", "r2.localhost"]) as [FakeGateway, FakeGateway];

/** One request through a replica: its answer and the chat messages it sent. */
async function through(gw: FakeGateway, path: string, init: RequestInit = {}) {
  const { response, sent } = await messagesOf(gw, path, { method: "POST", ...init });
  return { status: response.status, sent };
}

const replaced = (s: Element | undefined) => s?.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id;
const retracted = (s: Element | undefined) => s?.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id;

describe("a ntfy sequence shared by replicas with their own component domains", () => {
  test("an update through another replica is a new message from it, which the sequence's later updates correct", async () => {
    const [first] = (await through(r1, "/alerts/job-1", { body: "backup running" })).sent;
    expect(first?.attrs.from).toBe("r1.localhost");
    const [moved] = (await through(r2, "/alerts/job-1", { body: "backup 50%" })).sent;
    expect(moved?.attrs.from).toBe("r2.localhost");
    expect(replaced(moved)).toBeUndefined();
    const [next] = (await through(r2, "/alerts/job-1", { body: "backup 90%" })).sent;
    expect(replaced(next)).toBe(moved?.attrs.id);
    // Back through the first replica: a new message again, not a correction of its own old one.
    const [back] = (await through(r1, "/alerts/job-1", { body: "backup done" })).sent;
    expect(replaced(back)).toBeUndefined();
  });

  test("DELETE through another replica forgets the sequence and sends nothing, said in the log and counted", async () => {
    await through(r1, "/alerts/job-2", { body: "disk full" });
    const deleted = await through(r2, "/alerts/job-2", { method: "DELETE" });
    expect(deleted).toEqual({ status: 200, sent: [] });
    expect(r2.logs.some((l) => l.sender === "r1.localhost" && l.topic === "alerts")).toBe(true);
    expect(await (await r2.request("/metrics")).text()).toContain("stanzagate_ntfy_retractions_skipped_total 1");
    // The sequence is gone everywhere: it cannot be withdrawn twice.
    expect((await through(r1, "/alerts/job-2", { method: "DELETE" })).status).toBe(404);
  });

  test("DELETE through the replica that began the sequence retracts from its domain", async () => {
    const [first] = (await through(r1, "/alerts/job-3", { body: "load high" })).sent;
    const [retraction] = (await through(r1, "/alerts/job-3", { method: "DELETE" })).sent;
    expect(retraction?.attrs.from).toBe("r1.localhost");
    expect(retracted(retraction)).toBe(first?.attrs.id);
  });
});

test("a sequence remembered by an older version (the ids alone) is read with no sender: any replica updates or withdraws it, as before", async () => {
  const rows = new Map<string, string>([["alerts\u0000old", JSON.stringify({ "bob@localhost": "old-1" })]]);
  const memory = {
    get: async (k: string) => rows.get(k),
    set: async (k: string, v: string) => void rows.set(k, v),
    delete: async (k: string) => void rows.delete(k),
  };
  expect(await sequences(memory).first("alerts", "old")).toEqual({ ids: { "bob@localhost": "old-1" } });
  await sequences(memory).remember("alerts", "new", { ids: { "bob@localhost": "m2" }, from: "r2.localhost" });
  expect(await sequences(memory).first("alerts", "new")).toEqual({ ids: { "bob@localhost": "m2" }, from: "r2.localhost" });
});
