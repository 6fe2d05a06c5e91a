/**
 * A sender's colour as the emoji a client shows before the title. Senders colour by severity
 * (Alertmanager's firing red, resolved green; Slack's danger, Teams' attention), so the one
 * palette every format shares names the hue, and the formats only parse their own notation into
 * an RGB value (Slack `#rgb`/`#rrggbb`, Teams `themeColor`, Discord's integer). Greys, black and
 * white say nothing and get no badge, in every format. docs/formats.md shows the palette.
 */

/** Hue bands, from 0° (red) round to 360°: Slack's danger #E01E5A is 342°, Kuma's up #32CD32 120°. */
const HUES: ReadonlyArray<[upTo: number, emoji: string]> = [
  [15, "🔴"],
  [45, "🟠"],
  [70, "🟡"],
  [170, "🟢"],
  [260, "🔵"],
  [330, "🟣"],
  [360, "🔴"],
];

/** `0xRRGGBB` as its hue's circle; undefined for greys (HSV saturation under 0.25) and near-black. */
export function colorBadge(rgb: number): string | undefined {
  if (!Number.isInteger(rgb) || rgb < 0 || rgb > 0xffffff) return undefined;
  const [r, g, b] = [(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff].map((v) => v / 255) as [number, number, number];
  const max = Math.max(r, g, b);
  const chroma = max - Math.min(r, g, b);
  if (max < 0.15 || chroma / max < 0.25) return undefined;
  const sector = max === r ? ((g - b) / chroma + 6) % 6 : max === g ? (b - r) / chroma + 2 : (r - g) / chroma + 4;
  const hue = sector * 60;
  return HUES.find(([upTo]) => hue < upTo)?.[1];
}

/** `#rrggbb`, `rrggbb`, `#rgb` (CSS's shorthand) as `0xRRGGBB`; undefined for anything else. */
export function parseHexColor(text: unknown): number | undefined {
  const m = typeof text === "string" ? /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(text.trim()) : null;
  if (!m) return undefined;
  const hex = m[1] as string;
  return Number.parseInt(hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex, 16);
}
