// Proves the ejabberd test bed: a private ejabberd 23.01 with users, MUC and a privileged gateway
// component, behind the same interface as the Prosody one, and the server switch of servers.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import xml from "@xmpp/xml";
import type { Prosody } from "./prosody.ts";
import { startEjabberd } from "./ejabberd.ts";
import { testServers } from "./servers.ts";
import { connectRawComponent } from "./component.ts";
import { NS_MUC_USER, connectClient, isMessage, joinRoom, messageWithBody } from "./xmpp-client.ts";

const NS_PRIVILEGE_1 = "urn:xmpp:privilege:1";
let ejabberd: Prosody;
let startMs = 0;

beforeAll(async () => {
  const t0 = performance.now();
  ejabberd = await startEjabberd({ mucAdmins: ["carol@localhost"] });
  startMs = performance.now() - t0;
});

afterAll(async () => {
  await ejabberd?.stop();
});

describe("a default ejabberd", () => {
  test("starts on loopback ports with the default users, in seconds", () => {
    console.info(`ejabberd test bed started in ${Math.round(startMs)} ms`);
    expect(Object.keys(ejabberd.users).sort()).toEqual(["alice", "bob", "carol"]);
    expect(new Set([ejabberd.c2sPort, ejabberd.componentPort, ejabberd.httpPort]).size).toBe(3);
    expect(ejabberd.pid).toBeGreaterThan(0);
    expect(startMs).toBeLessThan(30_000);
  });

  test("alice and bob log in, and bob receives exactly what alice sent", async () => {
    const [alice, bob] = await Promise.all([connectClient(ejabberd, "alice"), connectClient(ejabberd, "bob")]);
    try {
      await alice.send(xml("message", { to: bob.bare, type: "chat" }, xml("body", {}, "hi bob")));
      expect((await bob.nextStanza(messageWithBody("hi bob"))).attrs.from).toBe(alice.jid);
    } finally {
      await Promise.all([alice.stop(), bob.stop()]);
    }
  });

  test("the gateway component gets the XEP-0356 advertisement in ejabberd's namespace, urn:xmpp:privilege:1", async () => {
    const gateway = await connectRawComponent(ejabberd);
    try {
      const advert = await gateway.nextStanza((s) => isMessage(s) && s.getChild("privilege", NS_PRIVILEGE_1) !== undefined);
      const perms = Object.fromEntries(advert.getChild("privilege", NS_PRIVILEGE_1)!.getChildren("perm").map((p) => [p.attrs.access, p.attrs.type]));
      expect(perms).toEqual({ roster: "both", message: "outgoing", presence: "managed_entity" });
    } finally {
      await gateway.stop();
    }
  });

  test("the gateway joins alice's room as owner and moderator (mod_muc access_admin)", async () => {
    const alice = await connectClient(ejabberd, "alice");
    const gateway = await connectRawComponent(ejabberd);
    try {
      const room = `lobby@${ejabberd.mucDomain}`;
      await joinRoom(alice, room, "alice");
      const item = (await joinRoom(gateway, room, "gateway")).getChild("x", NS_MUC_USER)?.getChild("item");
      expect([item?.attrs.role, item?.attrs.affiliation]).toEqual(["moderator", "owner"]);
    } finally {
      await Promise.all([alice.stop(), gateway.stop()]);
    }
  });

  test("restart() keeps users and ports; a user added while stopped exists after the start", async () => {
    const ports = [ejabberd.c2sPort, ejabberd.componentPort];
    await ejabberd.stopProcess();
    await ejabberd.addUser("dave", "dave-pw");
    await ejabberd.startProcess();
    await ejabberd.restart();
    expect([ejabberd.c2sPort, ejabberd.componentPort]).toEqual(ports);
    const [alice, dave] = await Promise.all([connectClient(ejabberd, "alice"), connectClient(ejabberd, "dave")]);
    await Promise.all([alice.stop(), dave.stop()]);
  });
});

describe("an ejabberd without gateway privileges", () => {
  test("sends the component no advertisement; stop() leaves no process and no directory", async () => {
    const bare = await startEjabberd({ privileges: null, users: { zed: "zed-pw" } });
    const gateway = await connectRawComponent(bare);
    try {
      // A ping through the server: anything it sent on connect arrived before the pong.
      await gateway.iq(xml("iq", { type: "get", to: bare.host }, xml("ping", { xmlns: "urn:xmpp:ping" })));
      expect(gateway.received.filter((s) => s.name === "message")).toEqual([]);
    } finally {
      await gateway.stop();
      await bare.stop();
    }
    expect(existsSync(bare.dir)).toBe(false);
    expect(bare.pid).toBeNull();
  });
});

describe("STANZAGATE_SERVERS", () => {
  test("picks the servers a test runs against, both by default, and refuses an unknown name", () => {
    expect(testServers({}).map((s) => s.name)).toEqual(["prosody", "ejabberd"]);
    expect(testServers({ STANZAGATE_SERVERS: "ejabberd" }).map((s) => s.name)).toEqual(["ejabberd"]);
    expect(() => testServers({ STANZAGATE_SERVERS: "openfire" })).toThrow(/unknown server "openfire"/);
  });
});
