// Who a post_msg message comes from, with a fake XMPP port: the user by XEP-0356 when the server
// granted message permission (remembered across reconnects), fallback_from otherwise.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { LinkEvent, Privileges } from "../../../src/plugin-api/index.ts";
import { fakeXmppPort } from "../../helpers/fake-plugin.ts";
import { createLogger } from "../../../src/log.ts";
import { openStore } from "../../../src/store/db.ts";
import { pluginStore } from "../../../src/store/plugin-store.ts";
import { sqliteStore } from "../../../src/store/sqlite/index.ts";
import { createSender } from "../../../plugins/post_msg/sender.ts";
import { createPermissionMemory, processMemory, type PermissionMemory } from "../../../plugins/post_msg/permission-memory.ts";
import { fallbackFrom } from "../../../plugins/post_msg/options.ts";
import { waitFor } from "../../../testbed/timeouts.ts";

const NONE: Privileges = { roster: "none", message: "none", presence: "none" };
/** The two XEP-0356 versions in use, and a server that speaks each. */
const VERSIONS = [
  { namespace: "urn:xmpp:privilege:2", server: "Prosody 0.12 (XEP-0356 0.3+)" },
  { namespace: "urn:xmpp:privilege:1", server: "ejabberd 23.01 (XEP-0356 0.2)" },
] as const;

function fakePort(graceMs: number) {
  const listeners = new Map<LinkEvent, Array<() => void>>();
  let granted = NONE;
  /** Grants of the server's other virtual hosts, each advertised from its own address. */
  const others = new Map<string, Privileges>();
  const emit = (event: LinkEvent) => listeners.get(event)?.forEach((l) => void l());
  const port = fakeXmppPort({
    component: "gw.example.com",
    host: "example.com",
    privileges: (host = "example.com") => (host === "example.com" ? granted : (others.get(host) ?? NONE)),
    on: (event: LinkEvent, l: () => void) => void listeners.set(event, [...(listeners.get(event) ?? []), l]),
  });
  return {
    port,
    /** The link comes up: the server's grants are unknown until it advertises them, or its grace passes. */
    online: () => ((granted = NONE), others.clear(), emit("online"), setTimeout(() => emit("settled"), graceMs)),
    advertise: (p: Privileges) => ((granted = p), emit("privileges")),
    advertiseFrom: (host: string, p: Privileges) => (others.set(host, p), emit("privileges")),
  };
}

function setup(graceMs = 20, memory: PermissionMemory = processMemory()) {
  const lines: Array<Record<string, unknown>> = [];
  const fake = fakePort(graceMs);
  const log = createLogger({ level: "info", write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  const sender = createSender(fake.port, { fallbackFrom: "gw.example.com", log, memory });
  const from = (jid?: string) =>
    sender.address(xml("message", { to: "bob@example.com" }), { scheme: "s", name: "n", ...(jid ? { jid } : {}) });
  // The warning about a missing permission is the host's (features/plugin-routes/host.ts), from post_msg's `privileges`.
  return { ...fake, sender, from, infos: () => lines.filter((l) => l.level === "info") };
}

for (const { namespace, server } of VERSIONS)
  describe(`the sender of a post_msg message, with ${server}`, () => {
    const OUTGOING: Privileges = { ...NONE, message: "outgoing", namespace };

    test("is the user, wrapped for XEP-0356 §5.2 in the namespace the server advertised, once it granted message=outgoing", () => {
      const s = setup();
      s.online();
      s.advertise(OUTGOING);
      const { from, stanza } = s.from("Alice@example.com");
      expect(from).toBe("alice@example.com");
      expect(stanza.toString()).toBe(
        `<message from="gw.example.com" to="example.com"><privilege xmlns="${namespace}"><forwarded xmlns="urn:xmpp:forward:0">` +
          `<message to="bob@example.com" from="alice@example.com" xmlns="jabber:client"/></forwarded></privilege></message>`,
      );
      s.sender.stop();
    });

    test("of another virtual host is that host's user, wrapped to that host, when that host granted message=outgoing too", () => {
      const s = setup();
      s.online();
      s.advertise(OUTGOING);
      s.advertiseFrom("second.example", OUTGOING);
      const { from, stanza } = s.from("dora@second.example");
      expect(from).toBe("dora@second.example");
      expect(stanza.attrs.to).toBe("second.example");
      expect(stanza.getChild("privilege", namespace)?.getChild("forwarded")?.getChild("message")?.attrs.from).toBe("dora@second.example");
      expect(s.from("eve@third.example").from).toBe("gw.example.com");
      s.sender.stop();
    });

    test("of another virtual host is the user even when xmpp.host granted nothing, and only that host's", () => {
      const s = setup();
      s.online();
      s.advertiseFrom("second.example", OUTGOING);
      expect(s.from("dora@second.example").from).toBe("dora@second.example");
      expect(s.from("alice@example.com").from).toBe("gw.example.com");
      s.sender.stop();
    });

    test("stays the user across a reconnect, before the new advertisement arrives", () => {
      const s = setup();
      s.online();
      s.advertise(OUTGOING);
      s.online();
      expect(s.from("alice@example.com").from).toBe("alice@example.com");
      s.sender.stop();
    });

    test("stays the user after a gateway restart, while the link is still down: the last advertisement and its namespace are in the store", async () => {
      const db = await pluginStore(sqliteStore(openStore(":memory:")), "post_msg");
      const before = setup(20, createPermissionMemory(db, "gw.example.com", "example.com"));
      before.online();
      before.advertise(OUTGOING);
      before.sender.stop();
      // A new process on the same store: no link yet, nothing advertised to it.
      const after = setup(20, createPermissionMemory(db, "gw.example.com", "example.com"));
      const queued = after.from("alice@example.com");
      expect([queued.from, queued.stanza.getChild("privilege")?.attrs.xmlns]).toEqual(["alice@example.com", namespace]);
      // The server withdrew the permission: the next advertisement says so, and that is remembered too.
      after.online();
      after.advertise(NONE);
      expect(after.from("alice@example.com").from).toBe("gw.example.com");
      after.sender.stop();
      expect(setup(20, createPermissionMemory(db, "gw.example.com", "example.com")).from("alice@example.com").from).toBe("gw.example.com");
    });

    test("after a restart, still logs once what the server granted", () => {
      const memory = processMemory();
      memory.save(true);
      const s = setup(20, memory);
      s.online();
      s.advertise(OUTGOING);
      s.advertise(OUTGOING);
      expect(s.infos()).toHaveLength(1);
      s.sender.stop();
    });

    test("is fallback_from for identities without a JID and for users of another domain", () => {
      const s = setup();
      s.online();
      s.advertise(OUTGOING);
      expect(s.from().from).toBe("gw.example.com");
      const other = s.from("alice@elsewhere.example");
      expect([other.from, other.stanza.attrs.from, other.stanza.getChild("privilege")]).toEqual([
        "gw.example.com",
        "gw.example.com",
        undefined,
      ]);
      s.sender.stop();
    });

    test("is fallback_from when no advertisement follows the link coming up (the host warns: plugin-routes/host.ts)", async () => {
      const memory = processMemory();
      const s = setup(20, memory);
      s.online();
      await waitFor(() => memory.load() !== undefined, 1_000, "the permission to be remembered", undefined, 10);
      expect([memory.load(), s.from("alice@example.com").from]).toEqual([false, "gw.example.com"]);
      s.sender.stop();
    });

    test("is fallback_from after an advertisement without message permission", () => {
      const s = setup();
      s.online();
      s.advertise({ ...NONE, roster: "both" });
      expect(s.from("alice@example.com").from).toBe("gw.example.com");
      s.sender.stop();
    });
  });

describe("fallback_from", () => {
  test("defaults to the component domain (a fallback_from elsewhere is refused at load: post_msg-message.test.ts)", () => {
    expect(fallbackFrom({ max_body_bytes: 1 }, "gw.example.com")).toBe("gw.example.com");
    expect(fallbackFrom({ max_body_bytes: 1, fallback_from: "notify@gw.example.com" }, "gw.example.com")).toBe("notify@gw.example.com");
  });
});
