// Proves the ejabberd test bed: a private ejabberd 23.01 with users, MUC and a privileged gateway
// component, behind the same interface as the Prosody one, and the server switch of servers.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import xml from "@xmpp/xml";
import type { XmppServer } from "../../../testbed/xmpp-server.ts";
import { startEjabberd } from "../../../testbed/ejabberd.ts";
import { privilegeSample } from "../../../testbed/ejabberd-config.ts";
import { testServers } from "../../helpers/servers.ts";
import { connectRawComponent } from "../../../testbed/component.ts";
import { NS_MUC_USER, connectClient, isMessage, joinRoom, messageWithBody } from "../../../testbed/xmpp-client.ts";

const NS_PRIVILEGE_1 = "urn:xmpp:privilege:1";
let ejabberd: XmppServer;
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
  // The start-up time is printed, never asserted: how long a start may take is the test bed's own
  // readiness bound (testbed/ejabberd-process.ts), and speed is the benchmark's business.
  test("starts on loopback ports with the default users", () => {
    console.info(`ejabberd test bed started in ${Math.round(startMs)} ms`);
    expect(Object.keys(ejabberd.users).sort()).toEqual(["alice", "bob", "carol"]);
    expect(new Set([ejabberd.c2sPort, ejabberd.componentPort, ejabberd.httpPort]).size).toBe(3);
    expect(ejabberd.pid).toBeGreaterThan(0);
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
      const perms = Object.fromEntries(
        advert
          .getChild("privilege", NS_PRIVILEGE_1)!
          .getChildren("perm")
          .map((p) => [p.attrs.access, p.attrs.type]),
      );
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

describe("the ejabberd.yml of docs/servers.md", () => {
  test("has the gateway ACL and mod_privilege grants the test bed runs with", async () => {
    const servers = await Bun.file(join(import.meta.dir, "../../../docs/servers.md")).text();
    const block = /```yaml file=ejabberd\.yml\n([\s\S]*?)```/.exec(servers)?.[1];
    const sample = YAML.parse(block ?? "") as { acl: { gateway: object }; modules: { mod_privilege: object } };
    const tested = privilegeSample("gateway.example.com", { roster: "both", message: "outgoing", presence: "managed_entity" });
    expect({ acl: { gateway: sample.acl.gateway }, modules: { mod_privilege: sample.modules.mod_privilege } } as object).toEqual(tested);
  });
});

describe("every ejabberd sample in the READMEs and docs/", () => {
  test("grants mod_privilege permissions by inline rules naming an ACL of the sample (a bare name grants nothing)", async () => {
    const docs = [...new Bun.Glob("docs/*.md").scanSync(join(import.meta.dir, "../../.."))];
    const files = [
      "README.md",
      ...docs,
      ...["post_msg", "roster_admin", "muc_kick", "component_http"].map((p) => `plugins/${p}/README.md`),
    ];
    const checked: string[] = [];
    for (const file of files) {
      const text = await Bun.file(join(import.meta.dir, "../../..", file)).text();
      for (const [, block] of text.matchAll(/^```yaml[^\n]*\n([\s\S]*?)^```$/gm)) {
        const sample = YAML.parse(block ?? "") as {
          acl?: Record<string, unknown>;
          modules?: { mod_privilege?: Record<string, Record<string, unknown>> };
        } | null;
        const grants = sample?.modules?.mod_privilege;
        if (grants === undefined) continue;
        checked.push(file);
        for (const [access, types] of Object.entries(grants)) {
          for (const [type, rule] of Object.entries(types)) {
            expect({ file, access, type, rule }).toEqual({ file, access, type, rule: [{ allow: expect.any(String) }] });
            const acl = (rule as Array<{ allow: string }>)[0]!.allow;
            expect(Object.keys(sample?.acl ?? {})).toContain(acl);
          }
        }
      }
    }
    // The pages that show ejabberd's grants: a sample the pattern stopped finding fails here.
    expect(checked.sort()).toEqual([
      "docs/servers.md",
      "docs/troubleshooting.md",
      "plugins/post_msg/README.md",
      "plugins/roster_admin/README.md",
    ]);
  });
});
