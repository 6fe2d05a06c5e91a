/**
 * A payload as JSON for the templates of MQTT routes and bot jobs, with one difference from a
 * request body: an integer outside JavaScript's safe range (±(2^53 − 1)) keeps its digits, as its
 * source text (a string). A 64-bit device id, an IEEE address or an energy counter in a payload
 * would otherwise print rounded (`12345678901234567890` as `12345678901234567000`), another id.
 * RFC 8259 §6 leaves the precision to the implementation; a number with a fraction or an
 * exponent stays a double.
 */
import { parseJson } from "../kit/request-body.ts";

/** Strings are matched first and kept whole, so digits inside them are never touched. */
const TOKENS = /"(?:[^"\\]|\\.)*"|(?<![\w.+-])-?[1-9][0-9]{15,}(?![\w.])/g;

/** Any JSON value (INVALID_JSON as parseJson), big integers as their digits. */
export function parsePayloadJson(text: string): unknown {
  return parseJson(/[0-9]{16}/.test(text) ? text.replace(TOKENS, exact) : text);
}

function exact(token: string): string {
  return token.startsWith('"') || Number.isSafeInteger(Number(token)) ? token : `"${token}"`;
}
