// Topics people write to, on each real server: alice, one of the topic's JIDs, writes to
// backups@<component> and the topic's cache (what its subscribers replay and stream) has it; carol,
// outside allow:, gets a forbidden stanza error and nothing is cached; a ntfy publish reaches bob
// from the topic's address, and bob's plain reply goes back to the topic.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import xml from "@xmpp/xml";
import { testServers } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { isMessageWithBody } from "../../../../testbed/predicates.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";
import { GatewayTopics } from "../../../../src/topics/topics.ts";

const ROUTES = `
routes:
  - preset: ntfy
    to: alice@localhost
    topics: { backups: [alice@localhost, bob@localhost] }
`;
const STANZA_TIMEOUT_MS = 15_000;
const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

for (const server of testServers())
  describe(server.name, () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-topic-writers-"));
    dirs.push(dir);
    const bed = useTestBed(server, { gateway: { routes: ROUTES, store: join(dir, "store.db") }, clients: ["alice", "bob", "carol"] });
    // The gateway's own store, read as a subscriber's since=all replays it.
    let topics: GatewayTopics | undefined;
    const cached = () => {
      topics ??= new GatewayTopics(new Database(join(dir, "store.db")));
      return topics.cached(["backups"], "all").map((e) => `${e.source}: ${e.message}`);
    };
    const until = (line: string) => waitFor(() => cached().includes(line), STANZA_TIMEOUT_MS, `"${line}" in the topic's cache`);
    const topic = () => `backups@${bed.server.componentDomain}`;

    test("alice writes to backups@<component>: the topic has it, from her bare JID", async () => {
      await bed.alice.send(xml("message", { to: topic(), type: "chat", id: "a1" }, xml("body", {}, "restore done")));
      await until("alice@localhost: restore done");
      expect(cached()).toEqual(["alice@localhost: restore done"]);
    });

    test("carol, outside allow:, gets forbidden and nothing is cached", async () => {
      await bed.carol.send(xml("message", { to: topic(), type: "chat", id: "c1" }, xml("body", {}, "let me in")));
      const error = await bed.carol.nextStanza((s) => s.name === "message" && s.attrs.type === "error", STANZA_TIMEOUT_MS);
      expect(error.attrs).toMatchObject({ from: topic(), id: "c1" });
      expect(error.getChild("error")?.attrs.type).toBe("auth");
      expect(error.getChild("error")?.getChild("forbidden", NS_STANZAS)).toBeDefined();
      // A barrier after carol's message: once it is cached, hers would have been too.
      await bed.alice.send(xml("message", { to: topic(), type: "chat" }, xml("body", {}, "barrier")));
      await until("alice@localhost: barrier");
      expect(cached()).toEqual(["alice@localhost: restore done", "alice@localhost: barrier"]);
    });

    test("a ntfy publish reaches bob from the topic's address; bob's reply goes back to the topic", async () => {
      expect((await bed.gw.post("/backups", { body: "backup failed" })).status).toBe(200);
      const got = await bed.bob.nextStanza(isMessageWithBody, STANZA_TIMEOUT_MS);
      expect(got.attrs.from).toBe(topic());
      expect(got.getChildText("body")).toBe("backup failed");
      await bed.bob.send(xml("message", { to: got.attrs.from, type: "chat" }, xml("body", {}, "on it")));
      await until("bob@localhost: on it");
      expect(cached().slice(-2)).toEqual(["http: backup failed", "bob@localhost: on it"]);
    });
  });
