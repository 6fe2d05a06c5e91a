// A bot's commands as XEP-0050 ad-hoc commands: the list, a form of the named groups, the result
// as a note, and the errors of §4.6 for bad sessions, actions and forms.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { harness, sentCount } from "./harness.ts";

const NS = "http://jabber.org/protocol/commands";
const BOB = "bob@localhost/phone";
const HOUSE = "house@gateway.localhost";

function commandIq(attrs: Record<string, string>, from = BOB, ...children: Element[]) {
  return xml("iq", { from, to: HOUSE, type: "set", id: "c1" }, xml("command", { xmlns: NS, ...attrs }, ...children));
}
const submit = (fields: Record<string, string>) =>
  xml(
    "x",
    { xmlns: "jabber:x:data", type: "submit" },
    ...Object.entries(fields).map(([k, v]) => xml("field", { var: k }, xml("value", {}, v))),
  );
const errorOf = (el: Element | undefined) => {
  const e = el?.getChild("error");
  return [
    e?.attrs.type,
    ...(e
      ?.getChildElements()
      .filter((c) => c.name !== "text")
      .map((c) => c.name) ?? []),
    e?.getChildText("text"),
  ];
};

/** Opens the temp form; returns the harness and the session id. */
async function openTemp() {
  const h = harness();
  h.handle(commandIq({ node: "temp", action: "execute" }));
  const form = await sentCount(h.sent, 1);
  return { h, sessionid: form?.getChild("command")?.attrs.sessionid as string, form };
}

describe("XEP-0050 ad-hoc commands", () => {
  test("disco#items on the commands node lists one item per command, named by its help", async () => {
    const h = harness();
    h.handle(
      xml(
        "iq",
        { from: BOB, to: HOUSE, type: "get", id: "i1" },
        xml("query", { xmlns: "http://jabber.org/protocol/disco#items", node: NS }),
      ),
    );
    const items = (await sentCount(h.sent, 1))
      ?.getChild("query")
      ?.getChildren("item")
      .map((i) => i.attrs);
    expect(items).toEqual([
      { jid: HOUSE, node: "temp", name: "temp <room>" },
      { jid: HOUSE, node: "ping", name: "ping" },
      { jid: HOUSE, node: "where", name: "where <q>" },
    ]);
  });

  test("a command without groups runs at once: completed, its reply as a note", async () => {
    const h = harness();
    h.handle(commandIq({ node: "ping", action: "execute" }));
    const command = (await sentCount(h.sent, 1))?.getChild("command");
    expect([command?.attrs.status, command?.getChildText("note")]).toEqual(["completed", "pong"]);
  });

  test("a command with groups answers a form with one required field per group, then runs with the values", async () => {
    const { h, sessionid, form } = await openTemp();
    expect(form?.getChild("command")?.attrs.status).toBe("executing");
    const fields = form?.getChild("command")?.getChild("x", "jabber:x:data")?.getChildren("field");
    expect(fields?.map((f) => [f.attrs.var, f.attrs.type, f.getChild("required") !== undefined])).toEqual([["room", "text-single", true]]);
    h.handle(commandIq({ node: "temp", action: "complete", sessionid }, BOB, submit({ room: "kitchen" })));
    const done = (await sentCount(h.sent, 2))?.getChild("command");
    expect([done?.attrs.status, done?.attrs.sessionid, done?.getChildText("note")]).toEqual(["completed", sessionid, "kitchen: 21.5 °C"]);
    expect(h.calls).toEqual(["http://127.0.0.1:8081/sensors/kitchen?who=bob%40localhost"]);
  });

  test("a form with a missing, an extra or an unfitting field gets bad-request/bad-payload naming it", async () => {
    for (const [fields, text] of [
      [{}, "missing field: room"],
      [{ room: "kitchen", floor: "2" }, "unknown field: floor (expected: room)"],
      [{ room: "the attic" }, "room does not fit the command's pattern"],
    ] as const) {
      const { h, sessionid } = await openTemp();
      h.handle(commandIq({ node: "temp", action: "complete", sessionid }, BOB, submit(fields)));
      expect(errorOf(await sentCount(h.sent, 2))).toEqual(["modify", "bad-request", "bad-payload", text]);
    }
  });

  test("an unknown or reused session gets bad-sessionid", async () => {
    const { h, sessionid } = await openTemp();
    h.handle(commandIq({ node: "temp", action: "cancel", sessionid }));
    expect((await sentCount(h.sent, 2))?.getChild("command")?.attrs.status).toBe("canceled");
    h.handle(commandIq({ node: "temp", action: "complete", sessionid }, BOB, submit({ room: "kitchen" })));
    expect(errorOf(await sentCount(h.sent, 3))).toEqual(["modify", "bad-request", "bad-sessionid", "unknown or expired session"]);
  });

  test("an unknown node gets item-not-found; a sender outside allow gets forbidden and an empty list", async () => {
    const h = harness();
    h.handle(commandIq({ node: "dance", action: "execute" }));
    expect(errorOf(await sentCount(h.sent, 1))).toEqual(["cancel", "item-not-found", "No such command"]);
    h.handle(commandIq({ node: "ping", action: "execute" }, "eve@elsewhere.example/x"));
    expect(errorOf(await sentCount(h.sent, 2))).toEqual(["auth", "forbidden", "You are not allowed to use this bot"]);
    h.handle(
      xml(
        "iq",
        { from: "eve@elsewhere.example/x", to: HOUSE, type: "get", id: "i1" },
        xml("query", { xmlns: "http://jabber.org/protocol/disco#items", node: NS }),
      ),
    );
    expect((await sentCount(h.sent, 3))?.getChild("query")?.getChildren("item")).toEqual([]);
  });

  test("an unknown action gets malformed-action", async () => {
    const h = harness();
    h.handle(commandIq({ node: "ping", action: "dance" }));
    expect(errorOf(await sentCount(h.sent, 1))).toEqual(["modify", "bad-request", "malformed-action", 'unknown action "dance"']);
  });
});
