// roster_admin in-process: the web app's answer, the diff, the sync against a fake server that
// answers roster gets and sets as mod_privilege does (one answer per item of a set).
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { createLogger, silentLogger } from "../../../src/log.ts";
import { fakeFetch } from "../../helpers/fake-fetch.ts";
import { memoryPluginStore, unusedRooms } from "../../helpers/fake-plugin.ts";
import type { Privileges, XmppPort } from "../../../src/plugin-api/index.ts";
import { canonical, contactsUrl, fetchContacts, parseContacts, type Contacts } from "../../../plugins/roster_admin/contacts.ts";
import { planChanges } from "../../../plugins/roster_admin/plan.ts";
import { ReplyCollector } from "../../../plugins/roster_admin/replies.ts";
import { NS_ROSTER, type RosterItem } from "../../../plugins/roster_admin/roster-iq.ts";
import { createScheduler } from "../../../plugins/roster_admin/scheduler.ts";
import { createSnapshotStore } from "../../../plugins/roster_admin/snapshots.ts";
import { createLoginWatcher } from "../../../plugins/roster_admin/logins.ts";
import { parseUsernames } from "../../../plugins/roster_admin/http.ts";
import { SyncError } from "../../../plugins/roster_admin/sync-error.ts";
import { syncUser, type SyncDeps } from "../../../plugins/roster_admin/sync.ts";
import { createWriteHealth } from "../../../plugins/roster_admin/write-health.ts";

const item = (name: string | undefined, groups: string[] = [], subscription = "both"): RosterItem => ({ subscription, name, groups });

/** A server holding rosters in memory; counts gets and sets; answers each set item separately. */
function fakeServer(replies: ReplyCollector, opts: { failSetFor?: string } = {}) {
  const rosters = new Map<string, Map<string, RosterItem>>();
  const calls = { gets: 0, sets: 0, items: 0 };
  const inFlight = { now: 0, most: 0 };
  const rosterOf = (user: string) => rosters.get(user) ?? rosters.set(user, new Map()).get(user)!;
  const privileges: Privileges = { roster: "both", message: "none", presence: "managed_entity" };
  const xmpp: XmppPort = {
    component: "gateway.localhost",
    host: "localhost",
    isOnline: () => true,
    privileges: () => privileges,
    serverSoftware: () => undefined,
    async request(iq) {
      calls.gets++;
      const query = xml("query", { xmlns: NS_ROSTER });
      for (const [jid, i] of rosterOf(iq.attrs.to ?? "")) {
        query.cnode(xml("item", { jid, subscription: i.subscription, name: i.name }, ...i.groups.map((g) => xml("group", {}, g))));
      }
      return xml("iq", { type: "result", id: iq.attrs.id, from: iq.attrs.to }, query);
    },
    async send(iq: Element) {
      calls.sets++;
      inFlight.most = Math.max(inFlight.most, ++inFlight.now);
      const user = iq.attrs.to ?? "";
      for (const el of iq.getChild("query", NS_ROSTER)?.getChildren("item") ?? []) {
        calls.items++;
        const jid = el.attrs.jid ?? "";
        const refused = user === opts.failSetFor;
        if (!refused && el.attrs.subscription === "remove") rosterOf(user).delete(jid);
        else if (!refused)
          rosterOf(user).set(
            jid,
            item(
              el.attrs.name,
              el
                .getChildren("group")
                .map((g) => g.getText())
                .sort(),
              el.attrs.subscription,
            ),
          );
        const answer = refused
          ? xml(
              "iq",
              { type: "error", id: iq.attrs.id, from: user },
              xml("error", { type: "wait" }, xml("internal-server-error", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" })),
            )
          : xml("iq", { type: "result", id: iq.attrs.id, from: user });
        queueMicrotask(() => replies.take(answer));
      }
      queueMicrotask(() => inFlight.now--);
    },
    deliver: async () => "sent",
    onStanza: () => {},
    observe: () => {},
    rooms: unusedRooms,
    on: () => {},
  };
  return { xmpp, rosters, rosterOf, calls, inFlight };
}

function setup(web: Record<string, Contacts>, opts: { exclusive?: boolean; failSetFor?: string; itemsPerSet?: number } = {}) {
  const replies = new ReplyCollector();
  const server = fakeServer(replies, opts);
  const deps: SyncDeps = {
    xmpp: server.xmpp,
    snapshots: createSnapshotStore(memoryPluginStore()),
    replies,
    fetchContacts: async (username) => web[username] ?? new Map(),
    exclusive: opts.exclusive ?? false,
    xmppTimeoutMs: 1_000,
    itemsPerSet: () => opts.itemsPerSet ?? 1,
    writes: createWriteHealth(() => new Date("2026-01-02T03:04:05Z")),
    log: silentLogger,
  };
  return { deps, server };
}

const contacts = (entries: Record<string, { name?: string; groups?: string[] }>): Contacts =>
  new Map(Object.entries(entries).map(([jid, c]) => [jid, { name: c.name, groups: c.groups ?? [] }]));

describe("the web app's answer", () => {
  test("becomes contacts with names and sorted, deduplicated groups, from an array or an object", () => {
    const parsed = parseContacts(
      {
        "Marie@Example.com": { name: "Marie", groups: ["b", "a", "b", ""] },
        "michael@example.com": { groups: { Work: true, Old: false } },
        "x@example.com": true,
      },
      "john@localhost",
      silentLogger,
    );
    expect([...parsed]).toEqual([
      ["marie@example.com", { name: "Marie", groups: ["a", "b"] }],
      ["michael@example.com", { name: undefined, groups: ["Work"] }],
      ["x@example.com", { name: undefined, groups: [] }],
    ]);
  });

  test("skips keys that are not bare JIDs and the user's own JID", () => {
    const parsed = parseContacts(
      { "a@b/res": {}, "not a jid@x": {}, "john@localhost": {}, "ok@x.org": {} },
      "john@localhost",
      silentLogger,
    );
    expect([...parsed.keys()]).toEqual(["ok@x.org"]);
  });

  test("that is not an object of contacts is an error", () => {
    expect(() => parseContacts(["a@b"], "john@localhost", silentLogger)).toThrow(SyncError);
  });

  test("loses the characters XML cannot carry from names and groups, with a warning naming the contact", () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger({ level: "warn", write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    const parsed = parseContacts(
      {
        "marie@example.com": { name: "Ma\u0001rie\ud800", groups: ["Fri\u0000ends", "\u0007", "Friends"] },
        "bell@example.com": { name: "\u0007" },
      },
      "john@localhost",
      log,
    );
    expect([...parsed]).toEqual([
      ["marie@example.com", { name: "Marie", groups: ["Friends"] }],
      ["bell@example.com", { name: undefined, groups: [] }],
    ]);
    expect(lines.map((l) => [l.msg, l.contact, l.field])).toEqual([
      ["web app sent characters XML cannot carry in a contact; dropped them", "marie@example.com", "name"],
      ["web app sent characters XML cannot carry in a contact; dropped them", "marie@example.com", "groups"],
      ["web app sent characters XML cannot carry in a contact; dropped them", "marie@example.com", "groups"],
      ["web app sent characters XML cannot carry in a contact; dropped them", "bell@example.com", "name"],
    ]);
  });

  test("skips a contact JID holding text XML cannot carry", () => {
    expect([...parseContacts({ "\ud800@example.com": {}, "ok@example.com": {} }, "john@localhost", silentLogger).keys()]).toEqual([
      "ok@example.com",
    ]);
  });

  test("is asked for at roster_url with the username URL-encoded", () => {
    expect(contactsUrl("http://app/contacts/%s?u=%s", "jo hn&x")).toBe("http://app/contacts/jo%20hn%26x?u=jo%20hn%26x");
  });
});

describe("fetching the web app's answer", () => {
  const answering = (response: () => Response) => ({
    fetch: fakeFetch(response),
    urlTemplate: "http://app/contacts/%s",
    timeoutMs: 1_000,
    maxBytes: 64,
    log: silentLogger,
  });
  const fetchJohn = (deps: ReturnType<typeof answering>) => fetchContacts("john", "john@localhost", deps);

  test("a name with a control character arrives without it (the server would close the stream on it)", async () => {
    const contacts = await fetchJohn(answering(() => Response.json({ "marie@example.com": { name: "Marie\u0001" } })));
    expect([...contacts]).toEqual([["marie@example.com", { name: "Marie", groups: [] }]]);
  });

  test("an answer larger than max_answer_bytes fails the sync with a clear message, declared or streamed", async () => {
    const big = JSON.stringify({ "marie@example.com": { name: "M".repeat(100) } });
    const expected = {
      message: "web app answered more than 64 bytes (max_answer_bytes)",
      status: 502,
      details: { url: "http://app/contacts/john", max_bytes: 64 },
    };
    await expect(
      fetchJohn(answering(() => new Response(big, { status: 200, headers: { "content-length": String(big.length) } }))),
    ).rejects.toMatchObject(expected);
    const streamed = () => new Response(new Blob([big]).stream(), { status: 200 });
    expect(streamed().headers.get("content-length")).toBeNull();
    await expect(fetchJohn(answering(streamed))).rejects.toMatchObject(expected);
  });

  test("an answer of exactly max_answer_bytes is read", async () => {
    const text = JSON.stringify({ "a@example.com": { name: "x" } });
    const deps = { ...answering(() => new Response(text, { status: 200 })), maxBytes: text.length };
    expect([...(await fetchJohn(deps)).keys()]).toEqual(["a@example.com"]);
  });
});

describe("the plan", () => {
  const wanted = contacts({ "a@x": { name: "A" }, "b@x": { name: "B", groups: ["G"] } });

  test("is empty when the roster already shows the web app's contacts", () => {
    const current = new Map([
      ["a@x", item("A")],
      ["b@x", item("B", ["G"])],
    ]);
    expect(planChanges({ wanted, current, managed: new Set(), exclusive: false })).toEqual([]);
  });

  test("resets changed names, groups or subscriptions, and leaves the user's own items alone", () => {
    const current = new Map([
      ["a@x", item("A", [], "none")],
      ["b@x", item("Bee", ["G"])],
      ["own@y", item("Own")],
    ]);
    expect(planChanges({ wanted, current, managed: new Set(), exclusive: false })).toEqual([
      { jid: "a@x", set: { name: "A", groups: [] } },
      { jid: "b@x", set: { name: "B", groups: ["G"] } },
    ]);
  });

  test("removes managed contacts the web app no longer lists, and in exclusive mode every unlisted one", () => {
    const current = new Map([
      ["a@x", item("A")],
      ["b@x", item("B", ["G"])],
      ["gone@x", item("Gone")],
      ["own@y", item("Own")],
    ]);
    expect(planChanges({ wanted, current, managed: new Set(["gone@x"]), exclusive: false })).toEqual([{ jid: "gone@x", remove: true }]);
    expect(planChanges({ wanted, current, managed: new Set(), exclusive: true })).toEqual([
      { jid: "gone@x", remove: true },
      { jid: "own@y", remove: true },
    ]);
  });
});

describe("a sync", () => {
  test("writes a new roster one item per set (RFC 6121 §2.1.5), and a repeated refresh with no change makes no XMPP call", async () => {
    const { deps, server } = setup({ john: contacts({ "a@x": { name: "A" }, "b@x": { groups: ["G"] } }) });
    expect(await syncUser("john", "refresh", deps)).toBe(2);
    expect(server.calls).toEqual({ gets: 1, sets: 2, items: 2 });
    expect(await syncUser("john", "refresh", deps)).toBe(0);
    expect(server.calls).toEqual({ gets: 1, sets: 2, items: 2 });
    expect([...server.rosterOf("john@localhost")]).toEqual([
      ["a@x", item("A")],
      ["b@x", item(undefined, ["G"])],
    ]);
  });

  test("keeps 32 sets in flight rather than waiting for each answer", async () => {
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`c${i}@x`, { name: `C${i}` }]));
    const { deps, server } = setup({ john: contacts(many) });
    expect(await syncUser("john", "refresh", deps)).toBe(100);
    expect(server.calls).toEqual({ gets: 1, sets: 100, items: 100 });
    expect(server.inFlight.most).toBe(32);
  });

  test("with items_per_set, puts that many items in each set", async () => {
    const many = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`c${i}@x`, { name: `C${i}` }]));
    const { deps, server } = setup({ john: contacts(many) }, { itemsPerSet: 100 });
    expect(await syncUser("john", "refresh", deps)).toBe(250);
    expect(server.calls).toEqual({ gets: 1, sets: 3, items: 250 });
  });

  test("at login always reads the roster, and puts back a managed item the user changed", async () => {
    const { deps, server } = setup({ john: contacts({ "a@x": { name: "A" } }) });
    await syncUser("john", "refresh", deps);
    server.rosterOf("john@localhost").set("a@x", item("Renamed by john"));
    expect(await syncUser("john", "refresh", deps)).toBe(0);
    expect(await syncUser("john", "login", deps)).toBe(1);
    expect(server.rosterOf("john@localhost").get("a@x")).toEqual(item("A"));
  });

  test("that the server refuses fails with a SyncError and leaves the snapshot unclean, so the next refresh reconciles", async () => {
    const web = { john: contacts({ "a@x": { name: "A" } }) };
    const failing = setup(web, { failSetFor: "john@localhost" });
    const err = await syncUser("john", "refresh", failing.deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncError);
    expect((err as SyncError).message).toBe("XMPP server refused the roster set: internal-server-error");
    expect(failing.deps.snapshots.get("john")).toEqual({ roster: canonical(web.john), managed: ["a@x"], clean: false });
  });
});

describe("the health of roster writes", () => {
  test("is untried, then ok after an accepted set, then failing with the server's condition after a refused one", async () => {
    const web = { john: contacts({ "a@x": { name: "A" } }), mary: contacts({ "b@x": { name: "B" } }) };
    const { deps } = setup(web, { failSetFor: "mary@localhost" });
    const writes = deps.writes as ReturnType<typeof createWriteHealth>;
    expect(writes.report()).toEqual({ roster_writes: "untried" });
    await syncUser("john", "refresh", deps);
    expect(writes.report()).toEqual({ roster_writes: "ok", since: "2026-01-02T03:04:05.000Z" });
    await syncUser("mary", "refresh", deps).catch(() => {});
    expect(writes.report()).toEqual({
      roster_writes: "failing",
      since: "2026-01-02T03:04:05.000Z",
      failed_sets: 1,
      last_error: {
        code: "XMPP_ERROR",
        message: "XMPP server refused the roster set: internal-server-error",
        condition: "internal-server-error",
      },
    });
  });
});

describe("the answers to a roster set", () => {
  const answer = (type: string, from: string, id: string, condition?: string) =>
    xml(
      "iq",
      { type, id, from },
      condition ? xml("error", { type: "cancel" }, xml(condition, { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" })) : null,
    );

  test("count item-not-found on a removal as done, and ignore answers from anyone else", async () => {
    const replies = new ReplyCollector();
    let sent: Element | undefined;
    const done = replies.call(
      async (el) => void (sent = el),
      xml("iq", { type: "set", to: "john@localhost" }),
      2,
      1_000,
      new Set(["item-not-found"]),
    );
    const id = sent?.attrs.id ?? "";
    expect(replies.take(answer("result", "mallory@localhost", id))).toBe(false);
    expect(replies.take(answer("result", "john@localhost", id))).toBe(true);
    expect(replies.take(answer("error", "john@localhost", id, "item-not-found"))).toBe(true);
    await done;
  });

  test("fail with 504 when they stop coming", async () => {
    const replies = new ReplyCollector();
    const err = await replies
      .call(async () => {}, xml("iq", { type: "set", to: "john@localhost" }), 1, 20, new Set())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "SyncError", status: 504 });
  });
});

describe("the scheduler", () => {
  test("runs at most `concurrency` syncs at once and one at a time per user", async () => {
    const scheduler = createScheduler(3);
    let running = 0;
    let peak = 0;
    const perUser = new Map<string, number>();
    const task = (user: string) => async () => {
      running++;
      perUser.set(user, (perUser.get(user) ?? 0) + 1);
      peak = Math.max(peak, running);
      expect(perUser.get(user)).toBe(1);
      await Bun.sleep(1);
      perUser.set(user, (perUser.get(user) ?? 1) - 1);
      running--;
    };
    await Promise.all(Array.from({ length: 40 }, (_, i) => scheduler.run(`u${i % 10}`, task(`u${i % 10}`))));
    expect(peak).toBe(3);
  });
});

describe("logins", () => {
  test("are a user's first resource coming online, seen in forwarded presences of the host's users", () => {
    const seen: string[] = [];
    const watcher = createLoginWatcher("localhost", "gateway.localhost", (u) => seen.push(u));
    const presence = (from: string, type?: string) => xml("presence", { from, to: "gateway.localhost", type });
    expect(watcher.take(presence("John@localhost/phone"))).toBe(true);
    expect(watcher.take(presence("john@localhost/laptop"))).toBe(true);
    expect(watcher.take(presence("john@localhost/phone", "unavailable"))).toBe(true);
    expect(watcher.take(presence("john@localhost/laptop", "unavailable"))).toBe(true);
    expect(watcher.take(presence("john@localhost/phone"))).toBe(true);
    expect(watcher.take(presence("eve@elsewhere.example/x"))).toBe(false);
    expect(watcher.take(presence("john@localhost/phone", "subscribe"))).toBe(false);
    // Directed presence to a JID of the component is not a forwarded one.
    expect(watcher.take(xml("presence", { from: "mary@localhost/x", to: "echo@gateway.localhost" }))).toBe(false);
    expect(seen).toEqual(["john", "john"]);
  });
});

describe("a refresh body", () => {
  test("is a JSON array of usernames", () => {
    expect(parseUsernames('["john","aaron"]')).toEqual(["john", "aaron"]);
    expect(() => parseUsernames('{"0":"john"}')).toThrow("JSON array of usernames");
    expect(() => parseUsernames("[true]")).toThrow("JSON array of usernames");
  });
});
