// People write to a topic over XMPP, driven in-process: a chat message an allowed sender sends
// to the topic's address is published to the topic (cached for its subscribers); anyone outside
// allow: gets a forbidden stanza error and nothing is cached; a topic's messages come from its
// address, so answering one goes back to the topic.
import { describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { xml } from "../../../../src/kit/xml.ts";
import { useTopicWritersGateway } from "../../../helpers/topic-writers-gateway.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";

const ROUTES = `
routes:
  - preset: ntfy
    subscribe: {}
    to: ops@localhost
    topics:
      backups: [alice@localhost, bob@localhost]
      quiet: alice@localhost
    from_xmpp:
      quiet: { allow: [carol@localhost] }
`;
const STANZA_TIMEOUT_MS = 5_000;

const bed = useTopicWritersGateway(ROUTES);

let ids = 0;
function chat(from: string, to: string, body: string | undefined, ...extra: Element[]): Element {
  const id = `m${++ids}`;
  const stanza = xml("message", { from, to, type: "chat", id }, ...(body === undefined ? [] : [xml("body", {}, body)]), ...extra);
  bed.gw.entity.receive(stanza);
  return stanza;
}

/** What the topic's subscribers would replay (since=all), as `source: message`. */
const cached = async (topic: string) => (await bed.cache.cached([topic], "all")).map((e) => `${e.source}: ${e.message ?? `(${e.event})`}`);

async function waitCached(topic: string, count: number) {
  await waitFor(async () => (await cached(topic)).length >= count, STANZA_TIMEOUT_MS, `${count} events cached in ${topic}`);
  return await cached(topic);
}

describe("writing to a topic's address", () => {
  test("a recipient's chat message is published to the topic, from its bare JID", async () => {
    chat("alice@localhost/phone", "backups@gateway.localhost", "restore done");
    expect(await waitCached("backups", 1)).toEqual(["alice@localhost: restore done"]);
    const [event] = await bed.cache.cached(["backups"], "all");
    expect(event).toMatchObject({ event: "message", topic: "backups", sequence_id: `m${ids}` });
  });

  test("a sender outside allow: gets forbidden (RFC 6120 §8.3.3.5) and nothing is cached", async () => {
    const before = bed.gw.stanzas().length;
    chat("mallory@evil.example/x", "Backups@gateway.localhost", "rm -rf");
    chat("alice@localhost/phone", "quiet@gateway.localhost", "not mine to write");
    await waitFor(() => bed.gw.stanzas().length >= before + 2, STANZA_TIMEOUT_MS, "two stanza errors");
    const errors = bed.gw.stanzas().slice(before);
    expect(errors.map((e) => [e.attrs.to, e.attrs.from, e.attrs.type, e.getChild("error")?.attrs.type])).toEqual([
      ["mallory@evil.example/x", "Backups@gateway.localhost", "error", "auth"],
      ["alice@localhost/phone", "quiet@gateway.localhost", "error", "auth"],
    ]);
    expect(errors[0]?.getChild("error")?.getChild("forbidden", "urn:ietf:params:xml:ns:xmpp-stanzas")).toBeDefined();
    // allow: widens past the recipients: carol may write to quiet, alice (its recipient) may not.
    chat("carol@localhost/pc", "quiet@gateway.localhost", "quiet night");
    expect(await waitCached("quiet", 1)).toEqual(["carol@localhost: quiet night"]);
    expect(await cached("backups")).toEqual(["alice@localhost: restore done"]);
  });

  test("chat states and receipts publish nothing and get no error; a correction keeps the first message's sequence id", async () => {
    const before = bed.gw.stanzas().length;
    chat("bob@localhost/pc", "backups@gateway.localhost", undefined, xml("composing", { xmlns: "http://jabber.org/protocol/chatstates" }));
    const first = chat("bob@localhost/pc", "backups@gateway.localhost", "disk 91%");
    chat(
      "bob@localhost/pc",
      "backups@gateway.localhost",
      "disk 92%",
      xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: first.attrs.id }),
    );
    chat(
      "bob@localhost/pc",
      "backups@gateway.localhost",
      undefined,
      xml("retract", { xmlns: "urn:xmpp:message-retract:1", id: first.attrs.id }),
    );
    expect(await waitCached("backups", 4)).toEqual([
      "alice@localhost: restore done",
      "bob@localhost: disk 91%",
      "bob@localhost: disk 92%",
      "bob@localhost: (message_delete)",
    ]);
    expect((await bed.cache.cached(["backups"], "all")).slice(1).map((e) => e.sequence_id)).toEqual([
      first.attrs.id,
      first.attrs.id,
      first.attrs.id,
    ]);
    expect(bed.gw.stanzas().slice(before)).toEqual([]);
  });

  test("a topic's messages come from its address, so a reply goes back to the topic; a topic of to: from the component", async () => {
    const before = bed.gw.stanzas().length;
    expect((await bed.gw.request("/backups", { method: "POST", body: "backup failed" })).status).toBe(200);
    expect((await bed.gw.request("/deploys", { method: "POST", body: "v2 shipped" })).status).toBe(200);
    expect(
      bed.gw
        .stanzas()
        .slice(before)
        .map((s) => `${s.attrs.from} -> ${s.attrs.to}`),
    ).toEqual([
      "backups@gateway.localhost -> alice@localhost",
      "backups@gateway.localhost -> bob@localhost",
      "gateway.localhost -> ops@localhost",
    ]);
    const sent = bed.gw.stanzas()[before];
    chat("alice@localhost/phone", sent?.attrs.from ?? "", "on it");
    expect((await waitCached("backups", 6)).slice(-2)).toEqual(["http: backup failed", "alice@localhost: on it"]);
  });
});
