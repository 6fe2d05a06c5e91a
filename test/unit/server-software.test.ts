// Which server the link is connected to (src/xmpp/server-software.ts): XEP-0092 first, then the
// disco#info identity of category "server"; unknown when the server tells neither.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { silentLogger } from "../../src/log.ts";
import { ServerIdentity } from "../../src/xmpp/server-software.ts";
import { isServer } from "../../src/kit/server-software.ts";

const version = (name: string, v?: string) =>
  xml("iq", { type: "result" }, xml("query", { xmlns: "jabber:iq:version" }, xml("name", {}, name), ...(v ? [xml("version", {}, v)] : [])));
const info = (...identities: Array<Record<string, string>>) =>
  xml(
    "iq",
    { type: "result" },
    xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }, ...identities.map((i) => xml("identity", i))),
  );
const refused = () => Promise.reject(new Error("service-unavailable"));

/** A server answering the two questions with `answers` (by namespace); records who asked whom. */
function identity(answers: { version?: () => Promise<Element>; info?: () => Promise<Element> }) {
  const asked: Array<Record<string, string | undefined>> = [];
  const request = (iq: Element) => {
    const ns = iq.getChildElements()[0]?.attrs.xmlns;
    asked.push({ from: iq.attrs.from, to: iq.attrs.to, ns });
    return (ns === "jabber:iq:version" ? answers.version : answers.info)?.() ?? refused();
  };
  return { asked, server: new ServerIdentity(request, () => ({ from: "gw.example", to: "example" }), silentLogger) };
}

describe("ServerIdentity", () => {
  test("asks the user domain, from the component, both questions", async () => {
    const { asked, server } = identity({});
    await server.learn();
    expect(asked).toEqual([
      { from: "gw.example", to: "example", ns: "jabber:iq:version" },
      { from: "gw.example", to: "example", ns: "http://jabber.org/protocol/disco#info" },
    ]);
  });

  test("XEP-0092's name and version win", async () => {
    const { server } = identity({
      version: async () => version("ejabberd", "23.01"),
      info: async () => info({ category: "server", type: "im", name: "other" }),
    });
    await server.learn();
    expect(server.get()).toEqual({ name: "ejabberd", version: "23.01" });
  });

  test("without XEP-0092, the server identity's name", async () => {
    const { server } = identity({
      version: refused,
      info: async () => info({ category: "pubsub", type: "pep", name: "PEP" }, { category: "server", type: "im", name: "Prosody" }),
    });
    await server.learn();
    expect(server.get()).toEqual({ name: "Prosody" });
    expect(isServer(server.get(), "prosody")).toBe(true);
  });

  test("a server that tells nothing stays unknown, and isServer says no", async () => {
    const { server } = identity({ version: async () => version("  "), info: async () => info({ category: "server", type: "im" }) });
    await server.learn();
    expect(server.get()).toBeUndefined();
    expect(isServer(server.get(), "prosody")).toBe(false);
  });

  test("a connection lost while asking: the late answer is not believed", async () => {
    const answer = Promise.withResolvers<Element>();
    const { server } = identity({ version: () => answer.promise, info: refused });
    const learning = server.learn();
    server.forget();
    answer.resolve(version("Prosody", "0.12.4"));
    await learning;
    expect(server.get()).toBeUndefined();
  });
});
