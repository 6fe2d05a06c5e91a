// The guard in front of the outbox and the stream: what the server would answer by closing the
// stream is refused with a 4xx instead, and never queued.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { parse } from "ltx";
import { openStore } from "../../src/store/db.ts";
import { sqliteStore } from "../../src/store/sqlite/index.ts";
import { createOutbox } from "../../src/store/outbox.ts";
import { createStoreHealth } from "../../src/store/store-health.ts";
import { Delivery } from "../../src/xmpp/delivery.ts";
import { guardStanza } from "../../src/xmpp/stanza-guard.ts";
import type { GatewayError } from "../../src/plugin-api/errors.ts";
import { silentLogger } from "../../src/log.ts";

const COMPONENT = "gateway.localhost";
const message = (attrs: Record<string, string>, text = "hi") =>
  xml("message", { from: COMPONENT, to: "bob@localhost", ...attrs }, xml("body", {}, text));
const refusal = (fn: () => unknown): GatewayError => {
  try {
    fn();
  } catch (err) {
    return err as GatewayError;
  }
  throw new Error("not refused");
};

describe("the stanza guard", () => {
  test("returns the serialized stanza when the server can take it", () => {
    expect(guardStanza(message({}), 1_000)).toBe(`<message from="${COMPONENT}" to="bob@localhost"><body>hi</body></message>`);
  });

  test("a stanza over the limit once serialized (escaping counts) is 413 with the limit", () => {
    const err = refusal(() => guardStanza(message({}, "<".repeat(300)), 1_024));
    expect(err.status).toBe(413);
    expect(err.code).toBe("STANZA_TOO_LARGE");
    expect(err.details).toMatchObject({ limit: 1_024 });
  });

  test("U+FFFF, U+FFFE, a control or a lone surrogate in any text is 400 INVALID_XML_TEXT", () => {
    for (const bad of ["\uffff", "\ufffe", "\u0001", "\ud800"]) {
      const deep = xml("message", { from: COMPONENT, to: "bob@localhost" }, xml("x", { xmlns: "urn:x" }, xml("y", {}, `a${bad}`)));
      expect(refusal(() => guardStanza(deep, 10_000)).code).toBe("INVALID_XML_TEXT");
      expect(refusal(() => guardStanza(message({ type: `chat${bad}` }), 10_000)).code).toBe("INVALID_XML_TEXT");
    }
  });

  test("a lone surrogate is refused even where the next text child would complete it in the string", () => {
    const split = xml("message", { from: COMPONENT, to: "bob@localhost" }, xml("body", {}, "\ud83d", "\ude00"));
    expect(refusal(() => guardStanza(split, 10_000))).toMatchObject({ code: "INVALID_XML_TEXT", details: { element: "body" } });
  });

  test("to, from and jid attributes must be JIDs that XML can carry: 400 INVALID_JID", () => {
    expect(refusal(() => guardStanza(message({ to: "bob@localhost/\uffff" }), 10_000)).code).toBe("INVALID_JID");
    expect(refusal(() => guardStanza(message({ to: "\uffff@localhost" }), 10_000)).code).toBe("INVALID_JID");
    expect(refusal(() => guardStanza(message({ to: "a b@localhost" }), 10_000)).code).toBe("INVALID_JID");
    const item = xml("iq", { from: COMPONENT, to: "room@muc.localhost", type: "set" }, xml("query", {}, xml("item", { jid: "x@@y" })));
    const err = refusal(() => guardStanza(item, 10_000));
    expect([err.status, err.code, err.details]).toEqual([400, "INVALID_JID", { element: "item", attribute: "jid" }]);
  });
});

describe("names a lenient parser lets through", () => {
  test("an attribute or element name that is not an XML name (a webhook's `to]]>`) is 400 INVALID_MARKUP", () => {
    expect(refusal(() => guardStanza(parse(`<message to]]>="alice@localhost"><body>hi</body></message>`), 1_000))).toMatchObject({
      code: "INVALID_MARKUP",
      status: 400,
    });
    const odd = message({});
    odd.cnode(xml("a<b"));
    expect(refusal(() => guardStanza(odd, 1_000))).toMatchObject({ code: "INVALID_MARKUP" });
  });

  test("prefixed, xml: and non-ASCII names are XML names", () => {
    const ok = parse(
      `<message xml:lang="en" from="${COMPONENT}" to="bob@localhost"><body>é</body><x:y xmlns:x="urn:x"/><données/></message>`,
    );
    expect(() => guardStanza(ok, 1_000)).not.toThrow();
  });
});

describe("delivery refuses before the outbox", () => {
  const offlineDelivery = () => {
    const db = openStore(":memory:");
    const outbox = createOutbox(sqliteStore(db), 10, createStoreHealth(sqliteStore(db), ":memory:", silentLogger));
    const link = { status: "offline", settled: false, sendRaw: async () => {} };
    return {
      outbox,
      delivery: new Delivery(link, outbox, { after: async () => {} }, silentLogger, { component: COMPONENT, maxStanzaBytes: 1_024 }),
    };
  };

  test("an oversized stanza is 413, not 202 queued", async () => {
    const { outbox, delivery } = offlineDelivery();
    await expect(delivery.deliver(message({}, "x".repeat(2_000)))).rejects.toMatchObject({ code: "STANZA_TOO_LARGE" });
    expect(outbox.size()).toBe(0);
  });

  test("a recipient with U+FFFF is 400, not 202 queued", async () => {
    const { outbox, delivery } = offlineDelivery();
    await expect(delivery.deliver(message({ to: "bob@localhost/\uffff" }))).rejects.toMatchObject({ code: "INVALID_JID" });
    expect(outbox.size()).toBe(0);
  });
});
