// Who may correct (XEP-0308 §5) or withdraw (XEP-0424 §6) a remembered message: its sender alone.
// The rule correct: routes, ntfy sequences, Discord's PATCH/DELETE and Gotify's DELETE share.
import { describe, expect, test } from "bun:test";
import { otherSender } from "../../../src/notify/same-sender.ts";

describe("otherSender", () => {
  test("the same sender may change its message: no other sender", () => {
    expect(otherSender("r1.localhost", "r1.localhost")).toBeUndefined();
    expect(otherSender("alice@localhost", "alice@localhost")).toBeUndefined();
  });

  test("another replica's domain is the other sender, which clients would take a change from alone", () => {
    expect(otherSender("r1.localhost", "r2.localhost")).toBe("r1.localhost");
  });

  test("a row of an older version names no sender (undefined or empty): changed as before", () => {
    expect(otherSender(undefined, "r2.localhost")).toBeUndefined();
    expect(otherSender("", "r2.localhost")).toBeUndefined();
  });
});
