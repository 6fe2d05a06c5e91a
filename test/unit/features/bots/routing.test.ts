// Row 3 of the routing table (src/xmpp/router.ts): a bot gets the stanzas of its JID, any
// resource, after address owners and answers, before component_http local parts and catch-alls.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { silentLogger } from "../../../../src/log.ts";
import { StanzaRouter } from "../../../../src/xmpp/router.ts";

function routerWith(order: string[]) {
  const router = new StanzaRouter("gw.example.com", () => {}, silentLogger);
  const took = (name: string) => () => (order.push(name), true);
  return { router, took };
}

describe("a stanza to a bot's JID goes to", () => {
  test("the bot, before a local part and a catch-all registered earlier, at any resource", async () => {
    const order: string[] = [];
    const { router, took } = routerWith(order);
    router.add(took("catch-all"));
    router.add(took("local part"), { localParts: ["echo"] });
    router.addBot("House", took("bot"));
    for (const to of ["house@gw.example.com", "HOUSE@gw.example.com/bot", "echo@gw.example.com", "x@gw.example.com"])
      await router.dispatch(xml("message", { to, from: "a@example.com" }));
    expect(order).toEqual(["bot", "bot", "local part", "catch-all"]);
  });

  test("the owner of an exact address first", async () => {
    const order: string[] = [];
    const { router, took } = routerWith(order);
    router.addBot("", took("domain bot"));
    router.add(took("address"), { address: "gw.example.com/room" });
    await router.dispatch(xml("message", { to: "gw.example.com/room", from: "a@example.com" }));
    await router.dispatch(xml("message", { to: "gw.example.com", from: "a@example.com" }));
    expect(order).toEqual(["address", "domain bot"]);
  });
});
