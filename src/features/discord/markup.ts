/**
 * Discord's message markup as plain text that XEP-0393 (Message Styling) clients style alike:
 * `**bold**` and `# headings` become `*bold*`, `__underline__` `_underline_`, `~~strike~~`
 * `~strike~`; a masked link `[label](url)` becomes `label (url)` as in every format
 * (notify/markdown.ts plainLinks: any shown scheme, not only http) so the URL stands bare and every
 * client makes it clickable; `<t:1796605323:F>` (Discord's timestamp markup, which Uptime Kuma
 * sends) becomes the date it shows, in UTC (`since` that date for the relative style `:R`).
 */
import { plainLinks, plainMarkdownTitle } from "../../notify/markdown.ts";

/** A Discord timestamp or an ISO 8601 one, as `2026-12-07 01:02:03 UTC`; undefined when it is no date. */
function utcText(date: Date): string | undefined {
  const ms = date.getTime();
  return Number.isNaN(ms) ? undefined : `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** An embed's `timestamp`: ISO 8601, or Uptime Kuma's `2026-12-07 01:02:03.456` (UTC, without a zone). */
export function timestampText(raw: string): string | undefined {
  const zoneless = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(raw);
  return utcText(new Date(zoneless ? `${raw.replace(" ", "T")}Z` : raw));
}

const TIMESTAMP = /<t:(-?\d{1,13})(?::([tTdDfFR]))?>/g;

function dates(markup: string): string {
  return markup.replace(TIMESTAMP, (whole, seconds: string, style?: string) => {
    const date = utcText(new Date(Number(seconds) * 1000));
    // R is "5 minutes ago" as of whoever reads it: a message that stays says since when.
    return date === undefined ? whole : style === "R" ? `since ${date}` : date;
  });
}

/** An embed's title, which the renderer makes bold as a whole: markers dropped, as every format's title. */
export function plainTitle(markup: string): string {
  return plainMarkdownTitle(dates(markup));
}

export function plainText(markup: string): string {
  return plainLinks(dates(markup))
    .replace(/^#{1,3} +(.+)$/gm, "*$1*")
    .replace(/\*\*([^*\n]+)\*\*/g, "*$1*")
    .replace(/__([^_\n]+)__/g, "_$1_")
    .replace(/~~([^~\n]+)~~/g, "~$1~");
}
