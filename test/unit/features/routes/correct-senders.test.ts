// `correct:` across replicas sharing one store: a correction comes from the sender of the message
// it corrects (XEP-0308 §5: a client ignores a <replace/> from another sender). Each replica is its
// own component domain, so a replica whose message would come from another sender than the
// thread's first sends a new message and the thread goes on from it; messages sent as a user
// (XEP-0356), the same on every replica, are corrected from any replica.
import { describe, expect, test } from "bun:test";
import { Element } from "ltx";
import { compileCorrection, memoryRemembered, type Remembered } from "../../../../src/features/routes/correct.ts";

const correction = compileCorrection("POST /c", "body.key", "body.done");
let ids = 0;
/** One request through the replica whose stanzas come `from`: the id it corrects, if any. */
async function send(memory: Remembered, from: string, done = false) {
  const stanza = new Element("message", { to: "bob@localhost", from, id: `m${++ids}`, type: "chat" });
  const remember = await correction.apply([stanza], { body: { key: "k1", done } }, memory);
  await remember();
  return { id: stanza.attrs.id as string, corrects: stanza.getChild("replace")?.attrs.id as string | undefined };
}

describe("a correct: thread shared by replicas with their own component domains", () => {
  test("another replica's message starts the thread again from itself; corrections come from the sender of what they correct", async () => {
    const memory = memoryRemembered();
    const first = await send(memory, "r1.localhost");
    expect(first.corrects).toBeUndefined();
    // r2 cannot send as r1.localhost: a new message, which the thread now follows.
    const second = await send(memory, "r2.localhost");
    expect(second.corrects).toBeUndefined();
    expect((await send(memory, "r2.localhost")).corrects).toBe(second.id);
    const back = await send(memory, "r1.localhost");
    expect(back.corrects).toBeUndefined();
    expect((await send(memory, "r1.localhost")).corrects).toBe(back.id);
  });

  test("sent as a user (XEP-0356, the same JID on every replica): corrected from any replica, as with one gateway", async () => {
    const memory = memoryRemembered();
    const first = await send(memory, "alice@localhost");
    expect((await send(memory, "alice@localhost")).corrects).toBe(first.id);
    expect((await send(memory, "alice@localhost", true)).corrects).toBe(first.id);
    expect((await send(memory, "alice@localhost")).corrects).toBeUndefined();
  });

  test("a thread remembered by an older version (its first id alone) is corrected as before", async () => {
    const memory = memoryRemembered();
    await memory.set(JSON.stringify(["POST /c", "k1", "bob@localhost"]), "old-1");
    expect((await send(memory, "r2.localhost")).corrects).toBe("old-1");
  });
});
