/**
 * A card's accent as the emoji a client shows before the title: Adaptive Cards name a color
 * (`attention`, `good`, `warning`: adaptivecards.io, TextBlock.color and Container.style), a
 * MessageCard gives a hex `themeColor`. Grey and unknown names give no badge.
 */
const NAMED: Record<string, string> = { attention: "🔴", good: "🟢", warning: "🟠", accent: "🔵" };

export function namedColorBadge(name: unknown): string | undefined {
  return typeof name === "string" ? NAMED[name.toLowerCase()] : undefined;
}

/** `FF0000`, `#00e804`: the nearest of the colored circles by hue; greys (low saturation) none. */
export function hexColorBadge(hex: unknown): string | undefined {
  const m = typeof hex === "string" ? /^#?([0-9a-f]{6})$/i.exec(hex.trim()) : null;
  if (!m) return undefined;
  const n = Number.parseInt(m[1] as string, 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max === 0 || (max - min) / max < 0.25) return undefined;
  return circle(hue(r, g, b, max, min));
}

function hue(r: number, g: number, b: number, max: number, min: number): number {
  const d = max - min;
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

function circle(h: number): string {
  if (h < 15 || h >= 330) return "🔴";
  if (h < 45) return "🟠";
  if (h < 70) return "🟡";
  if (h < 170) return "🟢";
  if (h < 260) return "🔵";
  return "🟣";
}
