import { describe, expect, test } from "bun:test";
import { bareJid, fitsJidPart, isJid, parseJid } from "../../src/kit/jid.ts";

describe("JIDs from input (RFC 7622)", () => {
  test.each(["alice@localhost", "localhost", "room@muc.localhost/Nick Name", "ünïcode@example.com", "a@[::1]", "x@example.com."])(
    "accept %s",
    (j) => {
      expect(isJid(j)).toBe(true);
    },
  );

  test.each([
    "",
    "@localhost",
    "a@",
    "a b@localhost",
    "a@b@c",
    "a@local host",
    "a@-bad.example",
    "a@localhost/",
    "a<b@localhost",
    "x".repeat(1024) + "@localhost",
  ])("refuse %p", (j) => expect(isJid(j)).toBe(false));

  test("split into parts, lower-casing the domain", () => {
    expect(parseJid("Bob@LocalHost/Phone")).toEqual({ local: "Bob", domain: "localhost", resource: "Phone" });
    expect(bareJid("bob@localhost/phone")).toBe("bob@localhost");
  });

  test("a domain compares as the server routes it: no final dot (RFC 7622 §3.2), widths and case mapped", () => {
    expect(parseJid("ping@gateway.localhost.")?.domain).toBe("gateway.localhost");
    expect(parseJid("ping@ｇａｔｅｗａｙ.ＬＯＣＡＬＨＯＳＴ")?.domain).toBe("gateway.localhost");
    expect(parseJid("Ping@Gateway.Localhost./r")).toEqual({ local: "Ping", domain: "gateway.localhost", resource: "r" });
  });
});

describe("JIDs parsed again (kept, bounded)", () => {
  test("read the same the second time, valid or not, and no caller can change them for the next", () => {
    const first = parseJid("Carol@Example.COM/desk");
    expect(parseJid("Carol@Example.COM/desk")).toEqual({ local: "Carol", domain: "example.com", resource: "desk" });
    expect(parseJid("Carol@Example.COM/desk")).toBe(first);
    expect(() => {
      (first as { local: string }).local = "mallory";
    }).toThrow(TypeError);
    expect(parseJid("Carol@Example.COM/desk")?.local).toBe("Carol");
    expect(parseJid("a b@localhost")).toBeUndefined();
    expect(parseJid("a b@localhost")).toBeUndefined();
  });

  test("past the bound, older ones are parsed afresh with the same result", () => {
    const first = parseJid("dave@example.net");
    for (let i = 0; i < 600; i++) parseJid(`u${i}@example.net`);
    expect(parseJid("dave@example.net")).toEqual({ local: "dave", domain: "example.net", resource: "" });
    expect(parseJid("dave@example.net")).not.toBe(first);
  });
});

describe("a piece of one JID part (what a template placeholder may fill)", () => {
  test.each([
    ["localpart", "bob", true],
    ["localpart", "bob@evil.com", false],
    ["localpart", "bob/x", false],
    ["localpart", "a b", false],
    ["localpart", "a:b", false],
    ["domainpart", "muc.example.com", true],
    ["domainpart", "x@evil.com", false],
    ["domainpart", "evil.com/res", false],
    ["resourcepart", "a@b/c d", true],
    ["resourcepart", "bell\u0007", false],
    ["resourcepart", "x".repeat(1024), false],
  ] as const)("%s %p fits: %p", (part, text, fits) => {
    expect(fitsJidPart(part, text)).toBe(fits);
  });
});
