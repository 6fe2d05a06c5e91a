/**
 * Apprise's `format: html` bodies as plain text: a chat body is text (RFC 6121 §5.2.3). Links keep
 * their URL (`label (url)`), block ends become line breaks, other tags go, the contents of
 * `<script>` and `<style>` too (code, not text: HTML Living Standard §4.12.1, §4.2.6), and the
 * entities HTML senders use are decoded. One pass over the tags, so any input takes linear time.
 */
import { linkText } from "../../notify/markdown.ts";

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g;
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;
/** Elements whose contents are not text a reader sees. */
const HIDDEN = new Set(["script", "style"]);
const BREAKS = new Set(["br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"]);
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

export function htmlText(html: string): string {
  let out = "";
  let link: { href: string; start: number } | undefined;
  let last = 0;
  let hidden: string | undefined;
  for (const m of html.matchAll(TAG)) {
    if (hidden === undefined) out += decode(html.slice(last, m.index));
    last = m.index + m[0].length;
    const [, closing, rawName, attrs = ""] = m;
    const name = (rawName as string).toLowerCase();
    if (hidden !== undefined) {
      if (closing && name === hidden) hidden = undefined;
    } else if (HIDDEN.has(name) && !closing) hidden = name;
    else if (name === "a" && !closing) {
      const href = HREF.exec(attrs);
      link = href ? { href: decode(href[1] ?? href[2] ?? href[3] ?? ""), start: out.length } : undefined;
    } else if (name === "a" && link) {
      out = out.slice(0, link.start) + linkText(out.slice(link.start), link.href);
      link = undefined;
    } else if (BREAKS.has(name) && (closing || name === "br")) out += "\n";
  }
  return (hidden === undefined ? out + decode(html.slice(last)) : out).replace(/\n{3,}/g, "\n\n").trim();
}

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (whole, ref: string) => {
    if (ref[0] !== "#") return ENTITIES[ref.toLowerCase()] ?? whole;
    const code = ref[1] === "x" || ref[1] === "X" ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
