/**
 * The text of a message without its reply fallback: an XEP-0461 reply may quote what it
 * answers at the start of its body ("> earlier words\n") for clients without replies, and marks
 * that quote with an XEP-0428 fallback for "urn:xmpp:reply:0". The quote is not what the person
 * wrote, so it is left out of what a topic publishes. Ranges count code points (XEP-0428); a
 * fallback <body/> without start and end covers the whole body.
 */
import type { Element } from "ltx";

const NS_FALLBACK = "urn:xmpp:fallback:0";
const NS_REPLY = "urn:xmpp:reply:0";

/** The body's text with the reply fallback ranges removed, trimmed; undefined without a body. */
export function bodyWithoutReplyFallback(stanza: Element): string | undefined {
  const body = stanza.getChildText("body");
  if (body === null || body === undefined) return undefined;
  const chars = Array.from(body);
  const drop = new Array<boolean>(chars.length).fill(false);
  for (const fallback of stanza.getChildren("fallback", NS_FALLBACK)) {
    if (fallback.attrs.for !== NS_REPLY) continue;
    for (const range of fallback.getChildren("body")) {
      const [start, end] = bounds(range, chars.length);
      for (let i = start; i < end; i++) drop[i] = true;
    }
  }
  return chars
    .filter((_, i) => !drop[i])
    .join("")
    .trim();
}

/** A range's code-point bounds, clamped to the body; none given: all of it. */
function bounds(range: Element, length: number): [number, number] {
  const { start, end } = range.attrs;
  if (start === undefined && end === undefined) return [0, length];
  const at = (value: unknown, fallback: number) => {
    const n = Number(value);
    return Number.isInteger(n) && n >= 0 ? Math.min(n, length) : fallback;
  };
  return [at(start, 0), at(end, length)];
}
