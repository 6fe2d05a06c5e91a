// A stanza's XML in one walk (src/xmpp/stanza-xml.ts) is, character for character, what ltx's
// own `toString` writes, for any tree: ours, xmpp.js's and parsed ones, with hostile text. Its
// `plain` says exactly when the guard must check value by value.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { Element, parse } from "ltx";
import { writeStanza } from "../../src/xmpp/stanza-xml.ts";
import { guardStanza } from "../../src/xmpp/stanza-guard.ts";
import type { GatewayError } from "../../src/plugin-api/errors.ts";

/** Text a sender may send: markup characters, entities, CDATA ends, characters XML 1.0 §2.2 forbids. */
const SAFE = ["", "hi", "a & b", "<b>", "x > y", `"quoted"`, "it's", "&amp;", "]]>", "é ü 中文", "😀", "\t\n\r", "  "];
const FORBIDDEN = ["\u0000", "\u0001", "\u001f", "\ufffe", "\uffff", "\ud800", "\udfff"];
const NAMES = ["message", "body", "x:y", "données", "a-b.c_d"];
const BAD_NAMES = ["a<b", "to]]>", "1x", "a b"];
const JIDS = ["bob@localhost", "gateway.localhost", "room@muc.localhost/nick"];
const BAD_JIDS = ["a b@localhost", "x@@y", "@localhost", "bob@"];

/** A small deterministic generator (mulberry32): the same stanzas in every run. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  return { next, pick };
}

interface Generated {
  el: Element;
  /** What the generator put in that asks for the value-by-value check. */
  plain: boolean;
  /** What the server cannot take: a bad name, a bad address, a forbidden character. */
  refused: boolean;
}

function generate(seed: number): Generated {
  const r = random(seed);
  let plain = true;
  let refused = false;
  const text = () => {
    if (r.next() < 0.1) {
      refused = true;
      return `${r.pick(SAFE)}${r.pick(FORBIDDEN)}${r.pick(SAFE)}`;
    }
    return r.pick(SAFE);
  };
  const name = () => {
    if (r.next() < 0.04) {
      plain = false;
      refused = true;
      return r.pick(BAD_NAMES);
    }
    return r.pick(NAMES);
  };
  const make = r.next() < 0.5 ? (n: string) => new Element(n) : (n: string) => xml(n);
  const element = (depth: number): Element => {
    const el = make(name());
    const attrs = el.attrs as Record<string, unknown>;
    for (let i = Math.floor(r.next() * 4); i > 0; i--) {
      const roll = r.next();
      // Each attribute set once: a later value never hides an earlier bad one.
      const key = roll < 0.15 ? r.pick(["to", "from", "jid"]) : name();
      if (key in attrs) continue;
      if (roll < 0.15) {
        const bad = r.next() < 0.3;
        if (bad) [plain, refused] = [false, true];
        attrs[key] = bad ? r.pick(BAD_JIDS) : r.pick(JIDS);
      } else if (roll < 0.2) attrs[key] = Math.floor(r.next() * 1000);
      else if (roll < 0.25) attrs[key] = undefined;
      else attrs[key] = text();
    }
    let textBefore = false;
    for (let i = depth > 3 ? 0 : Math.floor(r.next() * 4); i > 0; i--) {
      const isText = r.next() < 0.5;
      if (isText && textBefore) plain = false;
      el.children.push(isText ? text() : element(depth + 1));
      textBefore = isText;
    }
    return el;
  };
  return { el: element(0), plain, refused };
}

const refusal = (fn: () => unknown): GatewayError | undefined => {
  try {
    fn();
  } catch (err) {
    return err as GatewayError;
  }
  return undefined;
};

describe("a stanza's XML in one walk", () => {
  test("is what ltx writes, over 5,000 generated stanzas with hostile text, numbers and undefined values", () => {
    for (let seed = 1; seed <= 5_000; seed++) {
      const { el } = generate(seed);
      expect(writeStanza(el).xml).toBe(el.toString());
    }
  });

  test("escapes & < > \" ' in attribute values and & < > in text, as ltx does", () => {
    const el = xml("message", { to: "bob@localhost", type: `a&b<c>d"e'f` }, xml("body", {}, `a&b<c>d"e'f`));
    expect(writeStanza(el).xml).toBe(
      `<message to="bob@localhost" type="a&amp;b&lt;c&gt;d&quot;e&apos;f"><body>a&amp;b&lt;c&gt;d"e'f</body></message>`,
    );
    expect(writeStanza(el).xml).toBe(el.toString());
  });

  test("a parsed stanza, entities and all, comes out as ltx writes it", () => {
    const el = parse(`<message xml:lang="en" to="a@b"><body>1 &lt; 2 &amp;&amp; &quot;x&quot;</body><x xmlns="urn:x"/></message>`);
    expect(writeStanza(el).xml).toBe(el.toString());
  });

  test("plain is false exactly for a bad name, a bad address or two text children in a row", () => {
    for (let seed = 1; seed <= 5_000; seed++) {
      const g = generate(seed);
      expect([seed, writeStanza(g.el).plain]).toEqual([seed, g.plain]);
    }
    expect(writeStanza(xml("message", { to: "x@@y" })).plain).toBe(false);
    expect(writeStanza(xml("message", {}, xml("a<b"))).plain).toBe(false);
    expect(writeStanza(xml("message", {}, xml("body", {}, "\ud83d", "\ude00"))).plain).toBe(false);
  });

  test("the guard refuses every stanza with a forbidden character, bad name or bad address, and returns ltx's XML for the others", () => {
    for (let seed = 1; seed <= 5_000; seed++) {
      const { el, refused } = generate(seed);
      const err = refusal(() => guardStanza(el, 1_000_000));
      if (refused) expect([seed, err?.code]).toEqual([seed, expect.stringMatching(/^INVALID_(MARKUP|JID|XML_TEXT)$/)]);
      else expect([seed, guardStanza(el, 1_000_000)]).toEqual([seed, el.toString()]);
    }
  });
});
