// XEP-0356 advertisements in both namespaces in use, and what the link does with one it cannot read.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { mayAdvertise, readAdvertisement, unknownPrivilegeNamespace } from "../../src/xmpp/privilege.ts";
import { wrapPrivilegedMessage } from "../../src/kit/privileges.ts";
import type { Privileges } from "../../src/plugin-api/privileges.ts";
import { XmppLink } from "../../src/xmpp/link.ts";
import { createLogger } from "../../src/log.ts";
import { FakeEntity } from "../helpers/fake-entity.ts";
import { waitFor } from "../../testbed/timeouts.ts";

const advert = (ns: string, perms: Record<string, string>, from = "example.com") =>
  xml(
    "message",
    { from, to: "gw.example.com" },
    xml("privilege", { xmlns: ns }, ...Object.entries(perms).map(([access, type]) => xml("perm", { access, type }))),
  );

describe("reading an advertisement", () => {
  for (const ns of ["urn:xmpp:privilege:1", "urn:xmpp:privilege:2"]) {
    test(`${ns}: the grants and the namespace they came in`, () => {
      expect(readAdvertisement(advert(ns, { roster: "both", message: "outgoing", presence: "managed_entity" }))).toEqual({
        roster: "both",
        message: "outgoing",
        presence: "managed_entity",
        namespace: ns as "urn:xmpp:privilege:1",
      });
    });
  }

  test("an unknown version is no advertisement, and is recognised as one of an unknown namespace", () => {
    const future = advert("urn:xmpp:privilege:3", { message: "outgoing" });
    expect(readAdvertisement(future)).toBeUndefined();
    expect(unknownPrivilegeNamespace(future)).toBe("urn:xmpp:privilege:3");
    expect(unknownPrivilegeNamespace(advert("urn:xmpp:privilege:1", {}))).toBeUndefined();
  });

  test("a privileged message is wrapped in the namespace asked for (§5.2)", () => {
    const wrapped = wrapPrivilegedMessage(
      xml("message", { to: "bob@example.com" }),
      "example.com",
      "gw.example.com",
      "urn:xmpp:privilege:1",
    );
    expect(wrapped.getChild("privilege")?.attrs.xmlns).toBe("urn:xmpp:privilege:1");
  });
});

describe("who may advertise (a remote server can send the component a bare-domain from)", () => {
  test("without xmpp.hosts: xmpp.host and its subdomains, in any case; never a sibling, a parent or a look-alike", () => {
    const served = { host: "example.com" };
    for (const from of ["example.com", "EXAMPLE.com", "second.example.com", "a.b.example.com"])
      expect([from, mayAdvertise(from, served)]).toEqual([from, true]);
    for (const from of ["evil.example", "com", "example.org", "badexample.com", "example.com.evil.example"])
      expect([from, mayAdvertise(from, served)]).toEqual([from, false]);
  });

  test("with xmpp.hosts: xmpp.host and exactly the hosts listed", () => {
    const served = { host: "example.com", hosts: ["example.org", "Chat.Example.net"] };
    for (const from of ["example.com", "example.org", "chat.example.net"]) expect([from, mayAdvertise(from, served)]).toEqual([from, true]);
    for (const from of ["second.example.com", "example.net", "evil.example"])
      expect([from, mayAdvertise(from, served)]).toEqual([from, false]);
  });
});

function linkWithFake(hosts?: string[]) {
  const entity = new FakeEntity();
  const logs: Array<Record<string, unknown>> = [];
  const link = new XmppLink({
    server: "xmpp://127.0.0.1:1",
    component: "gw.example.com",
    secret: "s",
    maxStanzaBytes: 500_000,
    host: "example.com",
    ...(hosts ? { hosts } : {}),
    reconnect: { initial_ms: 1, max_ms: 2 },
    iqTimeoutMs: 1_000,
    log: createLogger({ level: "debug", write: (l) => void logs.push(JSON.parse(l) as Record<string, unknown>) }),
    createEntity: () => entity,
  });
  const passedOn: Element[] = [];
  link.onStanza((el) => passedOn.push(el));
  return { entity, link, logs, passedOn };
}

async function until(condition: () => boolean): Promise<void> {
  await waitFor(condition, 1_000, "the link's state", undefined, 5);
  expect(condition()).toBe(true);
}

describe("the link and the advertisements", () => {
  test("ejabberd's urn:xmpp:privilege:1 grants are read, logged with their namespace and not passed on", async () => {
    const { entity, link, logs, passedOn } = linkWithFake();
    link.start();
    await until(() => link.status === "online");
    entity.receive(advert("urn:xmpp:privilege:1", { message: "outgoing", roster: "both" }));
    expect(link.privileges()).toEqual({ roster: "both", message: "outgoing", presence: "none", namespace: "urn:xmpp:privilege:1" });
    expect(logs.find((l) => l.msg === "XEP-0356 privileges granted")).toMatchObject({
      namespace: "urn:xmpp:privilege:1",
      message: "outgoing",
    });
    expect(passedOn).toEqual([]);
    await link.stop();
  });

  test("an unknown namespace: logged once across reconnects, no privileges, never answered as an unknown stanza", async () => {
    const { entity, link, logs, passedOn } = linkWithFake();
    link.start();
    await until(() => link.status === "online");
    entity.receive(advert("urn:xmpp:privilege:9", { message: "outgoing" }));
    entity.emit("disconnect");
    await until(() => link.status === "online");
    entity.receive(advert("urn:xmpp:privilege:9", { message: "outgoing" }));
    expect(logs.filter((l) => l.msg === "XEP-0356 advertisement in an unknown namespace: no privileges assumed")).toHaveLength(1);
    expect(link.privileges().message).toBe("none");
    expect(passedOn).toEqual([]);
    await link.stop();
  });

  test("each virtual host's advertisement is kept for that host; xmpp.host's is the default; a user's address advertises nothing", async () => {
    const { entity, link, passedOn } = linkWithFake();
    link.start();
    await until(() => link.status === "online");
    entity.receive(advert("urn:xmpp:privilege:2", { message: "outgoing" }, "second.example.com"));
    entity.receive(advert("urn:xmpp:privilege:2", { roster: "both", message: "outgoing" }));
    entity.receive(advert("urn:xmpp:privilege:2", { roster: "both" }, "mallory@example.com"));
    const outgoing: Privileges = { roster: "none", message: "outgoing", presence: "none", namespace: "urn:xmpp:privilege:2" };
    expect(link.privileges()).toEqual({ ...outgoing, roster: "both" });
    expect(link.privileges("Second.Example.com")).toEqual(outgoing);
    expect(link.privileges("third.example.com")).toEqual({ roster: "none", message: "none", presence: "none" });
    expect(Object.keys(link.privilegesByHost())).toEqual(["example.com", "second.example.com"]);
    expect(passedOn.map((el) => el.attrs.from)).toEqual(["mallory@example.com"]);
    entity.emit("disconnect");
    await until(() => link.status === "online");
    expect(link.privilegesByHost()).toEqual({});
    await link.stop();
  });

  test("a grant the server no longer advertises after a reconnect is gone", async () => {
    const { entity, link } = linkWithFake();
    link.start();
    await until(() => link.status === "online");
    entity.receive(advert("urn:xmpp:privilege:2", { message: "outgoing" }));
    entity.emit("disconnect");
    await until(() => link.status === "online");
    expect(link.privileges()).toEqual({ roster: "none", message: "none", presence: "none" });
    await link.stop();
  });

  test("a remote server's advertisement is refused: no grants, no answer, not passed on, one warning per domain", async () => {
    const { entity, link, logs, passedOn } = linkWithFake();
    link.start();
    await until(() => link.status === "online");
    for (let i = 0; i < 3; i++) entity.receive(advert("urn:xmpp:privilege:2", { message: "outgoing", roster: "both" }, "evil.example"));
    entity.receive(advert("urn:xmpp:privilege:1", { message: "outgoing" }, "example.org"));
    expect(link.privilegesByHost()).toEqual({});
    expect(link.privileges("evil.example").message).toBe("none");
    expect(passedOn).toEqual([]);
    // A ping round trip after them: an answer would have been written before its pong came.
    await link.request(xml("iq", { type: "get", to: "example.com", from: "gw.example.com" }, xml("ping", { xmlns: "urn:xmpp:ping" })));
    expect(entity.sent.filter((el) => el.name !== "iq")).toEqual([]);
    const warnings = logs.filter(
      (l) => l.msg === "XEP-0356 advertisement refused: not from a host of the server (xmpp.host, xmpp.hosts)" && l.level === "warn",
    );
    expect(warnings.map((l) => l.from)).toEqual(["evil.example", "example.org"]);
    await link.stop();
  });

  test("xmpp.hosts names the server's other hosts: theirs count, a subdomain not listed does not", async () => {
    const { entity, link } = linkWithFake(["example.org"]);
    link.start();
    await until(() => link.status === "online");
    entity.receive(advert("urn:xmpp:privilege:2", { message: "outgoing" }, "example.org"));
    entity.receive(advert("urn:xmpp:privilege:2", { message: "outgoing" }, "second.example.com"));
    entity.receive(advert("urn:xmpp:privilege:2", { message: "outgoing" }));
    expect(Object.keys(link.privilegesByHost())).toEqual(["example.com", "example.org"]);
    await link.stop();
  });
});
