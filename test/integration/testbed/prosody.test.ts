// Proves the real-server test bed: a private Prosody 0.12 with users, MUC and a
// privileged gateway component, which the end-to-end tests build on.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import xml from "@xmpp/xml";
import { startProsody } from "../../../testbed/prosody.ts";
import type { XmppServer } from "../../../testbed/xmpp-server.ts";
import { waitFor, withTimeout } from "../../../testbed/timeouts.ts";
import { connectRawComponent } from "../../../testbed/component.ts";
import {
  NS_MUC_USER,
  NS_PRIVILEGE,
  connectClient,
  isMessageWithBody,
  isPresenceFrom,
  isPrivilegeAdvertisement,
  joinRoom,
  messageWithBody,
  privilegePerms,
  type TestClient,
} from "../../../testbed/xmpp-client.ts";

/** Is a process with this pid still running? (Signal 0 only checks; a zombie counts as gone.) */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileOrEmpty(`/proc/${pid}/stat`);
  // Field 3 is the state; orphans may linger as zombies if PID 1 is slow to reap.
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}

function readFileOrEmpty(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** Whether `pid` is gone within `timeoutMs` (the caller asserts it). */
async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const gone = () => !processExists(pid);
  return waitFor(gone, timeoutMs, `process ${pid} to exit`, undefined, 50).then(() => true, gone);
}

/** The first line a process prints, or an error after `timeoutMs`. */
async function firstLine(stdout: ReadableStream<Uint8Array>, timeoutMs: number): Promise<string> {
  const text = await withTimeout(readUntilNewline(stdout), timeoutMs, () => {
    throw new Error(`no output line within ${timeoutMs} ms`);
  });
  if (!text.includes("\n")) throw new Error(`output ended without a full line: ${text}`);
  return text.slice(0, text.indexOf("\n"));
}

async function readUntilNewline(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += decoder.decode(chunk);
    if (text.includes("\n")) break;
  }
  return text;
}

/**
 * The error a promise rejects with, or null. Used instead of expect().rejects,
 * which spends ~800 ms in bun 1.4 formatting socket errors.
 */
async function failureOf(promise: Promise<unknown>): Promise<Error | null> {
  return promise.then(
    () => null,
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
}

const ping = (to: string) => xml("iq", { type: "get", to }, xml("ping", { xmlns: "urn:xmpp:ping" }));

describe("a default Prosody", () => {
  let prosody: XmppServer;
  const clients: TestClient[] = [];
  const connect = async (user: string): Promise<TestClient> => {
    const c = await connectClient(prosody, user);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    prosody = await startProsody();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await prosody.stop();
  });

  test("starts on loopback ports with the default users", () => {
    expect(prosody.pid).not.toBeNull();
    expect(processExists(prosody.pid ?? -1)).toBe(true);
    expect(new Set([prosody.c2sPort, prosody.componentPort, prosody.httpPort]).size).toBe(3);
    expect(prosody.users).toEqual({ alice: "alice-pw", bob: "bob-pw", carol: "carol-pw" });
    expect(prosody.mucDomain).toBe("muc.localhost");
    expect(prosody.componentDomain).toBe("gateway.localhost");
  });

  test("alice and bob log in, and bob receives exactly what alice sent", async () => {
    const alice = await connect("alice");
    const bob = await connect("bob");
    expect(alice.bare).toBe("alice@localhost");
    expect(bob.jid.startsWith("bob@localhost/")).toBe(true);

    await alice.send(xml("message", { to: bob.bare, type: "chat", id: "m1" }, xml("body", {}, "hello bob")));

    const got = await bob.nextStanza(isMessageWithBody);
    expect(got.attrs.from).toBe(alice.jid);
    expect(got.attrs.id).toBe("m1");
    expect(got.attrs.type).toBe("chat");
    expect(got.getChildText("body")).toBe("hello bob");
    // Exactly one: a marker alice sends next arrives right after it (one sender to one recipient
    // through one server keeps its order, RFC 6120 §10.1), so a duplicate would be here by then.
    await alice.send(xml("message", { to: bob.bare, type: "chat" }, xml("body", {}, "marker")));
    await bob.nextStanza(messageWithBody("marker"));
    expect(bob.received.filter(isMessageWithBody).map((m) => m.getChildText("body"))).toEqual(["hello bob", "marker"]);
  });

  test("the gateway component gets the XEP-0356 privilege advertisement", async () => {
    const gateway = await connectRawComponent(prosody);
    try {
      const advertisement = await gateway.nextStanza(isPrivilegeAdvertisement);
      expect(advertisement.attrs.from).toBe("localhost");
      expect(advertisement.attrs.to).toBe("gateway.localhost");
      expect(privilegePerms(advertisement)).toEqual({
        roster: "both",
        message: "outgoing",
        presence: "managed_entity",
      });
    } finally {
      await gateway.stop();
    }
  });

  test("the gateway sees users' presence and acts for them (XEP-0356)", async () => {
    const gateway = await connectRawComponent(prosody);
    try {
      // presence = managed_entity: a user coming online is forwarded to the gateway.
      const carol = await connect("carol");
      const presence = await gateway.nextStanza(isPresenceFrom(carol.jid));
      expect(presence.attrs.to).toBe("gateway.localhost");

      // roster = both: the gateway may read any local user's roster.
      const roster = await gateway.iq(xml("iq", { type: "get", to: "carol@localhost" }, xml("query", { xmlns: "jabber:iq:roster" })));
      expect(roster.attrs.type).toBe("result");

      // message = outgoing: a <privilege><forwarded> message sent as alice reaches carol from alice's bare JID.
      const onBehalf = xml(
        "message",
        { xmlns: "jabber:client", from: "alice@localhost", to: carol.bare, type: "chat" },
        xml("body", {}, "sent by the gateway"),
      );
      await gateway.send(
        xml(
          "message",
          { to: prosody.host },
          xml("privilege", { xmlns: NS_PRIVILEGE }, xml("forwarded", { xmlns: "urn:xmpp:forward:0" }, onBehalf)),
        ),
      );
      const got = await carol.nextStanza(messageWithBody("sent by the gateway"));
      expect(got.attrs.from).toBe("alice@localhost");
    } finally {
      await gateway.stop();
    }
  });

  test("the gateway joins alice's room as owner and moderator", async () => {
    const alice = await connect("alice");
    const room = `lobby@${prosody.mucDomain}`;
    await joinRoom(alice, room, "alice"); // creates and unlocks the room

    const gateway = await connectRawComponent(prosody);
    try {
      const self = await joinRoom(gateway, room, "gateway");
      const item = self.getChild("x", NS_MUC_USER)?.getChild("item");
      expect(item?.attrs.role).toBe("moderator");
      expect(item?.attrs.affiliation).toBe("owner");

      // And it can talk in the room: alice sees its groupchat message.
      await gateway.send(xml("message", { to: room, type: "groupchat" }, xml("body", {}, "from the gateway")));
      const echoed = await alice.nextStanza(messageWithBody("from the gateway"));
      expect(echoed.attrs.from).toBe(`${room}/gateway`);
    } finally {
      await gateway.stop();
    }
  });
});

describe("a Prosody with custom options", () => {
  let prosody: XmppServer;
  beforeAll(async () => {
    prosody = await startProsody({
      host: "stanzagate.test",
      componentSecret: "fixed-secret",
      users: { carol: "carol-pw", dave: "dave-pw" },
      privileges: { roster: "get" },
      mucAdmins: ["carol@stanzagate.test"],
      extraModules: ["time"],
      extraConfig: ['Component "other.stanzagate.test"', '  component_secret = "other-secret"'].join("\n"),
    });
  });
  afterAll(async () => {
    await prosody.stop();
  });

  test("derives the domains from the host", () => {
    expect(prosody.mucDomain).toBe("muc.stanzagate.test");
    expect(prosody.componentDomain).toBe("gateway.stanzagate.test");
    expect(prosody.componentSecret).toBe("fixed-secret");
  });

  test("advertises exactly the privileges asked for", async () => {
    const gateway = await connectRawComponent(prosody);
    try {
      expect(privilegePerms(await gateway.nextStanza(isPrivilegeAdvertisement))).toEqual({ roster: "get" });
    } finally {
      await gateway.stop();
    }
  });

  test("loads extra modules on the VirtualHost", async () => {
    const dave = await connectClient(prosody, "dave");
    try {
      const time = await dave.iq(xml("iq", { type: "get", to: prosody.host }, xml("time", { xmlns: "urn:xmpp:time" })));
      expect(time.getChild("time", "urn:xmpp:time")?.getChildText("utc")).toBeTruthy();
    } finally {
      await dave.stop();
    }
  });

  test("mucAdmins own every room; a component that is not an admin is a plain participant", async () => {
    const dave = await connectClient(prosody, "dave");
    const carol = await connectClient(prosody, "carol");
    const other = await connectRawComponent(prosody, { domain: "other.stanzagate.test", secret: "other-secret" });
    try {
      const room = `daves@${prosody.mucDomain}`;
      await joinRoom(dave, room, "dave");
      const carolItem = (await joinRoom(carol, room, "carol")).getChild("x", NS_MUC_USER)?.getChild("item");
      expect(carolItem?.attrs).toMatchObject({ affiliation: "owner", role: "moderator" });
      const otherItem = (await joinRoom(other, room, "other")).getChild("x", NS_MUC_USER)?.getChild("item");
      expect(otherItem?.attrs).toMatchObject({ affiliation: "none", role: "participant" });
    } finally {
      await Promise.all([dave.stop(), carol.stop(), other.stop()]);
    }
  });
});

describe("a Prosody without gateway privileges", () => {
  let prosody: XmppServer;
  beforeAll(async () => {
    prosody = await startProsody({ privileges: null, users: { dave: "dave-pw" } });
  });
  afterAll(async () => {
    await prosody.stop();
  });

  test("sends the component no privilege advertisement", async () => {
    const gateway = await connectRawComponent(prosody);
    try {
      // The server answers in stream order, so once the ping result is back an
      // advertisement (sent right after the handshake) would already be here.
      await gateway.iq(ping(prosody.host));
      expect(gateway.received.filter(isPrivilegeAdvertisement)).toEqual([]);
    } finally {
      await gateway.stop();
    }
  });

  test("uses the given users", async () => {
    expect(prosody.users).toEqual({ dave: "dave-pw" });
    const dave = await connectClient(prosody, "dave");
    await dave.stop();
    const refused = await failureOf(connectClient(prosody, "alice", { password: "alice-pw" }));
    expect(refused?.message).toMatch(/not-authorized/);
  });
});

describe("restart and stop", () => {
  test("restart() keeps users, ports and queued (offline) messages", async () => {
    const prosody = await startProsody();
    try {
      const ports = [prosody.c2sPort, prosody.componentPort, prosody.httpPort];
      const firstPid = prosody.pid;

      const alice = await connectClient(prosody, "alice");
      await alice.send(xml("message", { to: "bob@localhost", type: "chat" }, xml("body", {}, "while you were out")));
      await alice.iq(ping(prosody.host)); // the message is stored offline before we stop
      await alice.stop();

      await prosody.restart();

      expect([prosody.c2sPort, prosody.componentPort, prosody.httpPort]).toEqual(ports);
      expect(prosody.pid).not.toBe(firstPid);
      expect(processExists(firstPid ?? -1)).toBe(false);

      const bob = await connectClient(prosody, "bob"); // the account survived
      const queued = await bob.nextStanza(messageWithBody("while you were out"));
      expect(queued.attrs.from?.startsWith("alice@localhost")).toBe(true);
      await bob.stop();
    } finally {
      await prosody.stop();
    }
  });

  test("stopProcess() and startProcess() pause the server without losing data", async () => {
    const prosody = await startProsody({ users: { erin: "erin-pw" } });
    try {
      await prosody.stopProcess();
      expect(prosody.pid).toBeNull();
      expect((await failureOf(connectClient(prosody, "erin")))?.message).toMatch(/ECONNREFUSED/);
      await prosody.startProcess();
      const erin = await connectClient(prosody, "erin");
      await erin.stop();
    } finally {
      await prosody.stop();
    }
  });

  test("stop() leaves no process and no directory behind", async () => {
    const prosody = await startProsody();
    const pid = prosody.pid ?? -1;
    expect(processExists(pid)).toBe(true);

    await prosody.stop();

    expect(processExists(pid)).toBe(false);
    expect(existsSync(prosody.dir)).toBe(false);
    expect(prosody.pid).toBeNull();
  });

  test("a Prosody whose test runner was SIGKILLed shuts itself down", async () => {
    // A separate runner we can kill -9: no exit handler of ours gets to run.
    const scratch = await mkdtemp(join(tmpdir(), "stanzagate-orphan-"));
    const script = join(scratch, "runner.ts");
    await writeFile(
      script,
      `import { startProsody } from ${JSON.stringify(join(import.meta.dir, "../../../testbed/prosody.ts"))};
const p = await startProsody({ users: { zed: "zed-pw" } });
console.log(JSON.stringify({ pid: p.pid, dir: p.dir }));
await Bun.sleep(30_000);
`,
    );
    const runner = Bun.spawn([process.execPath, script], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    try {
      const started: unknown = JSON.parse(await firstLine(runner.stdout, 15_000));
      const { pid, dir } = started as { pid: number; dir: string };
      expect(processExists(pid)).toBe(true);

      runner.kill("SIGKILL");

      // mod_stanzagate_watchdog polls its parent every second.
      expect(await waitUntilGone(pid, 5_000)).toBe(true);
      await rm(dir, { recursive: true, force: true }); // nobody was left to remove it
    } finally {
      runner.kill("SIGKILL");
      await rm(scratch, { recursive: true, force: true });
    }
  });

  test("a missing prosody binary is an error, never a skip", async () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      await expect(startProsody()).rejects.toThrow(/Prosody is not installed/);
    } finally {
      process.env.PATH = path;
    }
  });
});
