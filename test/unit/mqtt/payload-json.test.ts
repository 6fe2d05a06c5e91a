// A payload read as JSON by MQTT routes and bot jobs (src/mqtt/payload-json.ts): integers past
// JavaScript's safe range keep every digit (as text), everything else is plain JSON.
import { describe, expect, test } from "bun:test";
import { parsePayloadJson } from "../../../src/mqtt/payload-json.ts";

describe("a payload's numbers", () => {
  test("an integer past ±(2^53 − 1) keeps its digits, as its text", () => {
    expect(parsePayloadJson("123456789012345678901234567890")).toBe("123456789012345678901234567890");
    expect(parsePayloadJson('{"id":12345678901234567890,"n":[-9007199254740993, 1]}')).toEqual({
      id: "12345678901234567890",
      n: ["-9007199254740993", 1],
    });
  });

  test("integers in the safe range, fractions, exponents and digits inside strings stay as JSON reads them", () => {
    expect(parsePayloadJson('{"a":9007199254740991,"b":-9007199254740991}')).toEqual({ a: 9007199254740991, b: -9007199254740991 });
    expect(parsePayloadJson("[1.12345678901234567890, 1e-12345678901234567, 12345678901234567890.5]")).toEqual([
      1.1234567890123457, 0, 12345678901234567000,
    ]);
    expect(parsePayloadJson('{"s":"12345678901234567890 \\" 12345678901234567890"}')).toEqual({
      s: '12345678901234567890 " 12345678901234567890',
    });
  });

  test("what is not JSON stays not JSON (the caller reads it as text)", () => {
    expect(() => parsePayloadJson("01234567890123456789")).toThrow();
    expect(() => parsePayloadJson("id 12345678901234567890")).toThrow();
  });
});
