// Whose message a stanza id names, driven in-process: a stanza id becomes the ntfy sequence_id of
// what its sender writes to a topic, scoped to that sender, so two senders with the same id never
// share one (ntfy clients would show the second as an update of the first). A correction
// (XEP-0308) or a retraction (XEP-0424) reaches only a message the topic saw from the same sender:
// anyone else's correction is a new message, anyone else's retraction, or one of an id never
// sent, publishes nothing and gets no answer. A reply's fallback quote (XEP-0461, XEP-0428) is
// left out; a blank body publishes nothing and gets no answer, as chat states.
import { describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { xml } from "../../../../src/kit/xml.ts";
import { useTopicWritersGateway } from "../../../helpers/topic-writers-gateway.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";

const ROUTES = `
routes:
  - preset: ntfy
    topics:
      news: [alice@localhost, bob@localhost]
    subscribe: {}
`;
const STANZA_TIMEOUT_MS = 5_000;
const TOPIC = "news@gateway.localhost";

const bed = useTopicWritersGateway(ROUTES);

function send(from: string, id: string, body: string | undefined, ...extra: Element[]): void {
  const bodies = body === undefined ? [] : [xml("body", {}, body)];
  bed.gw.entity.receive(xml("message", { from, to: TOPIC, type: "chat", id }, ...bodies, ...extra));
}
const correct = (id: string) => xml("replace", { xmlns: "urn:xmpp:message-correct:0", id });
const retract = (id: string) => xml("retract", { xmlns: "urn:xmpp:message-retract:1", id });

let barriers = 0;
/** Everything cached once a later message of alice's is: `source: message (sequence_id)`. */
async function cachedAfterBarrier(): Promise<string[]> {
  const barrier = `barrier ${++barriers}`;
  send("alice@localhost/phone", `barrier-${barriers}`, barrier);
  const shown = async () =>
    (await bed.cache.cached(["news"], "all")).map((e) => `${e.source}: ${e.message ?? `(${e.event})`} (${e.sequence_id})`);
  await waitFor(async () => (await shown()).some((line) => line.includes(barrier)), STANZA_TIMEOUT_MS, barrier);
  return (await shown()).filter((line) => !line.includes("barrier"));
}
const sequenceOf = async (message: string) => (await bed.cache.cached(["news"], "all")).find((e) => e.message === message)?.sequence_id;

describe("a stanza id as a topic's sequence id", () => {
  test("two senders using the same stanza id never share a sequence id", async () => {
    send("alice@localhost/phone", "same-1", "alice's words");
    send("bob@localhost/pc", "same-1", "bob's words");
    expect(await cachedAfterBarrier()).toHaveLength(2);
    expect(await sequenceOf("alice's words")).toBe("same-1");
    expect(await sequenceOf("bob's words")).toMatch(/^[-_A-Za-z0-9]{1,64}$/);
    expect(await sequenceOf("bob's words")).not.toBe("same-1");
  });

  test("bob cannot correct alice's message: his correction is published as a new message", async () => {
    send("alice@localhost/phone", "alice-2", "alice's only words");
    send("bob@localhost/pc", "b-fix-1", "alice was wrong", correct("alice-2"));
    await cachedAfterBarrier();
    expect(await sequenceOf("alice's only words")).toBe("alice-2");
    expect(await sequenceOf("alice was wrong")).toBe("b-fix-1");
  });

  test("bob cannot retract alice's message, nor one never sent: nothing is published, nothing answered", async () => {
    const before = bed.gw.stanzas().length;
    send("bob@localhost/pc", "b-del-1", undefined, retract("alice-2"));
    send("bob@localhost/pc", "b-del-2", undefined, retract("never-sent"));
    expect((await cachedAfterBarrier()).filter((line) => line.includes("message_delete"))).toEqual([]);
    expect(bed.gw.stanzas().slice(before)).toEqual([]);
  });

  test("each sender's own correction and retraction still reach their own message", async () => {
    const bobs = await sequenceOf("bob's words");
    send("alice@localhost/phone", "a-fix", "alice's better words", correct("same-1"));
    send("bob@localhost/pc", "b-fix-2", "bob's better words", correct("same-1"));
    send("bob@localhost/pc", "b-del-3", undefined, retract("same-1"));
    const lines = await cachedAfterBarrier();
    expect(lines.slice(-3)).toEqual([
      "alice@localhost: alice's better words (same-1)",
      `bob@localhost: bob's better words (${bobs})`,
      `bob@localhost: (message_delete) (${bobs})`,
    ]);
  });
});

describe("what a message's text is", () => {
  test("a reply's fallback quote (XEP-0461, XEP-0428) is left out of what is published", async () => {
    const fallback = xml("fallback", { xmlns: "urn:xmpp:fallback:0", for: "urn:xmpp:reply:0" }, xml("body", { start: "0", end: "15" }));
    const reply = xml("reply", { xmlns: "urn:xmpp:reply:0", id: "same-1", to: TOPIC });
    send("bob@localhost/pc", "r-1", "> http says hi\nmy answer", reply, fallback);
    expect((await cachedAfterBarrier()).at(-1)).toBe("bob@localhost: my answer (r-1)");
  });

  test("an empty or whitespace-only body publishes nothing and gets no answer, as a chat state", async () => {
    const before = bed.gw.stanzas().length;
    const count = (await cachedAfterBarrier()).length;
    send("alice@localhost/phone", "e-1", "");
    send("alice@localhost/phone", "e-2", " \n\t ");
    expect(await cachedAfterBarrier()).toHaveLength(count);
    expect(bed.gw.stanzas().slice(before)).toEqual([]);
  });
});
