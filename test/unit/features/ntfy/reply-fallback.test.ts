// A reply's fallback (XEP-0428 ranges for urn:xmpp:reply:0) out of the text a topic publishes:
// ranges count code points, a fallback for anything else stays, a range-less body is all fallback.
import { describe, expect, test } from "bun:test";
import { xml } from "../../../../src/kit/xml.ts";
import { bodyWithoutReplyFallback } from "../../../../src/features/ntfy/reply-fallback.ts";

const message = (body: string | undefined, ...fallbacks: Array<[string, Record<string, string>]>) =>
  xml(
    "message",
    {},
    ...(body === undefined ? [] : [xml("body", {}, body)]),
    ...fallbacks.map(([purpose, range]) => xml("fallback", { xmlns: "urn:xmpp:fallback:0", for: purpose }, xml("body", range))),
  );
const REPLY = "urn:xmpp:reply:0";

describe("bodyWithoutReplyFallback", () => {
  test("the quoted range is removed, counted in code points", () => {
    expect(bodyWithoutReplyFallback(message("> 🚀 up\nyes", [REPLY, { start: "0", end: "7" }]))).toBe("yes");
  });
  test("a fallback for another purpose is kept; a body without fallback is only trimmed", () => {
    expect(bodyWithoutReplyFallback(message("> q\nok", ["urn:xmpp:other:0", { start: "0", end: "4" }]))).toBe("> q\nok");
    expect(bodyWithoutReplyFallback(message("  plain  "))).toBe("plain");
  });
  test("a range-less fallback body is the whole body; no body is undefined", () => {
    expect(bodyWithoutReplyFallback(message("all quote", [REPLY, {}]))).toBe("");
    expect(bodyWithoutReplyFallback(message(undefined))).toBeUndefined();
  });
});
