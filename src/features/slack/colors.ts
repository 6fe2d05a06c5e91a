/**
 * An attachment's `color` as the emoji a client shows before the title: Slack's three names
 * (good, warning, danger: #2EB886, #DAA038, #A30200) and any hex color by its hue. Greys say
 * nothing and get no badge.
 */
const NAMED: Record<string, string> = { good: "🟢", warning: "🟠", danger: "🔴" };

/** Hue bands, from 0° (red) round to 360°: Slack's danger #E01E5A is 342°, Kuma's up #32CD32 120°. */
const HUES: ReadonlyArray<[upTo: number, emoji: string]> = [
  [15, "🔴"],
  [45, "🟠"],
  [70, "🟡"],
  [170, "🟢"],
  [260, "🔵"],
  [320, "🟣"],
  [360, "🔴"],
];

export function colorBadge(color: unknown): string | undefined {
  if (typeof color !== "string") return undefined;
  const named = NAMED[color.trim().toLowerCase()];
  if (named) return named;
  const rgb = parseHex(color.trim());
  return rgb ? hueBadge(rgb) : undefined;
}

function parseHex(color: string): [number, number, number] | undefined {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (!m) return undefined;
  const hex = (m[1] as string).length === 3 ? [...(m[1] as string)].map((c) => c + c).join("") : (m[1] as string);
  return [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
}

function hueBadge([r, g, b]: [number, number, number]): string | undefined {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const chroma = max - min;
  // Saturation (HSV) below 0.25, or too dark to tell: grey, black or white.
  if (max < 0.15 || chroma / max < 0.25) return undefined;
  const sector = max === r ? ((g - b) / chroma + 6) % 6 : max === g ? (b - r) / chroma + 2 : (r - g) / chroma + 4;
  const hue = sector * 60;
  return HUES.find(([upTo]) => hue < upTo)?.[1];
}
