// Topics people write to, on each real server: alice, one of the topic's JIDs, writes to
// backups@<component> and a subscriber's open /json stream gets it; carol, outside allow:, gets a
// forbidden stanza error and nothing is cached (a poll shows it); a ntfy publish reaches bob from
// the topic's address, and bob's plain reply goes back to the topic. Bob cannot update or withdraw
// alice's message: his correction of her id is a new message, his retraction publishes nothing.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { testServers } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { isMessageWithBody } from "../../../../testbed/predicates.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";

const ROUTES = `
routes:
  - preset: ntfy
    to: alice@localhost
    topics: { backups: [alice@localhost, bob@localhost] }
    subscribe: {}
`;
const STANZA_TIMEOUT_MS = 15_000;
const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

/** ntfy's /json stream: one event per line (https://docs.ntfy.sh/subscribe/api/). */
async function* events(response: Response): AsyncGenerator<Record<string, unknown>> {
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  while (reader) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
      yield JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
      buffered = buffered.slice(nl + 1);
    }
  }
}

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { gateway: { routes: ROUTES }, clients: ["alice", "bob", "carol"] });
    /** What a subscriber polling the topic gets (poll=1: everything cached), as its messages. */
    const polled = async () => {
      const text = await (await fetch(`${bed.gw.url}/backups/json?poll=1`)).text();
      return text.split("\n").flatMap((line) => (line ? [(JSON.parse(line) as { message: string }).message] : []));
    };
    const until = (message: string) =>
      waitFor(async () => (await polled()).includes(message), STANZA_TIMEOUT_MS, `"${message}" in a poll of the topic`);
    const topic = () => `backups@${bed.server.componentDomain}`;

    test("alice writes to backups@<component>: a subscriber's open stream gets it", async () => {
      const stream = new AbortController();
      const response = await fetch(`${bed.gw.url}/backups/json`, { signal: stream.signal });
      const read = events(response);
      expect((await read.next()).value).toMatchObject({ event: "open", topic: "backups" });
      await bed.alice.send(xml("message", { to: topic(), type: "chat", id: "a1" }, xml("body", {}, "restore done")));
      let got = await read.next();
      while (got.value?.event === "keepalive") got = await read.next();
      expect(got.value).toMatchObject({ event: "message", topic: "backups", message: "restore done", sequence_id: "a1" });
      expect(got.value).not.toHaveProperty("source");
      stream.abort();
    });

    test("carol, outside allow:, gets forbidden and nothing is cached", async () => {
      await bed.carol.send(xml("message", { to: topic(), type: "chat", id: "c1" }, xml("body", {}, "let me in")));
      const error = await bed.carol.nextStanza((s) => s.name === "message" && s.attrs.type === "error", STANZA_TIMEOUT_MS);
      expect(error.attrs).toMatchObject({ from: topic(), id: "c1" });
      expect(error.getChild("error")?.attrs.type).toBe("auth");
      expect(error.getChild("error")?.getChild("forbidden", NS_STANZAS)).toBeDefined();
      // A barrier after carol's message: once it is cached, hers would have been too.
      await bed.alice.send(xml("message", { to: topic(), type: "chat" }, xml("body", {}, "barrier")));
      await until("barrier");
      expect(await polled()).toEqual(["restore done", "barrier"]);
    });

    test("a ntfy publish reaches bob from the topic's address; bob's reply goes back to the topic", async () => {
      expect((await bed.gw.post("/backups", { body: "backup failed" })).status).toBe(200);
      const got = await bed.bob.nextStanza(isMessageWithBody, STANZA_TIMEOUT_MS);
      expect(got.attrs.from).toBe(topic());
      expect(got.getChildText("body")).toBe("backup failed");
      await bed.bob.send(xml("message", { to: got.attrs.from, type: "chat" }, xml("body", {}, "on it")));
      await until("on it");
      expect((await polled()).slice(-2)).toEqual(["backup failed", "on it"]);
    });

    test("bob cannot update or withdraw alice's message (XEP-0308, XEP-0424: the original sender only)", async () => {
      await bed.alice.send(xml("message", { to: topic(), type: "chat", id: "shared-1" }, xml("body", {}, "alice's note")));
      await until("alice's note");
      const NS_CORRECT = "urn:xmpp:message-correct:0";
      const fix = xml("replace", { xmlns: NS_CORRECT, id: "shared-1" });
      await bed.bob.send(xml("message", { to: topic(), type: "chat", id: "bob-fix" }, xml("body", {}, "bob's rewrite"), fix));
      const withdraw = xml("retract", { xmlns: "urn:xmpp:message-retract:1", id: "shared-1" });
      await bed.bob.send(xml("message", { to: topic(), type: "chat", id: "bob-del" }, withdraw));
      // Bob's own stream carries his stanzas in order: once this one is cached, the retraction was handled.
      await bed.bob.send(xml("message", { to: topic(), type: "chat", id: "after-1" }, xml("body", {}, "after bob")));
      await until("after bob");
      const text = await (await fetch(`${bed.gw.url}/backups/json?poll=1`)).text();
      const polledEvents = text.split("\n").flatMap((line) => (line ? [JSON.parse(line) as Record<string, unknown>] : []));
      const shown = polledEvents.slice(-3).map((e) => [e.event, e.message, e.sequence_id]);
      expect(shown).toEqual([
        ["message", "alice's note", "shared-1"],
        ["message", "bob's rewrite", "bob-fix"],
        ["message", "after bob", "after-1"],
      ]);
    });
  });
