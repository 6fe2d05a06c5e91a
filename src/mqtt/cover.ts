/**
 * The filters subscribed at the broker for the ones the routes and jobs want: no topic may match
 * two of them. A broker sends one copy of a message per matching subscription (MQTT 5 §3.3.4
 * allows it, mosquitto does it), and the gateway hands every copy to every matching route
 * (dispatch.ts), so `sensors/#` beside `#` would give each route each message twice. A filter
 * covered by another (`sensors/#` by `#`, `zigbee2mqtt/+` by `zigbee2mqtt/#`) is left to it; two
 * that only overlap (`a/+/c`, `a/b/+`) are replaced by one that covers both (`a/+/+`), whose
 * extra messages match no route locally and are acknowledged as unrouted.
 *
 * Why not MQTT 5 Subscription Identifiers (§3.8.2.1.2, §3.3.2.3.8): they would tell which
 * subscription a copy is for, but a persistent session delivers its queued copies before any new
 * SUBSCRIBE, so the identifiers would have to be kept in the store across restarts, and 3.1.1
 * brokers have none. One local rule works for both versions.
 */
import type { MqttSubscribeOptions } from "./types.ts";

/** The wanted filters folded until none overlaps another; each keeps the highest QoS and any wish for retained messages. */
export function brokerCover(wanted: ReadonlyMap<string, MqttSubscribeOptions>): Map<string, MqttSubscribeOptions> {
  const cover = new Map(wanted);
  for (let merged = true; merged; ) {
    merged = false;
    const filters = [...cover.keys()];
    for (const [i, a] of filters.entries()) {
      const b = filters.slice(i + 1).find((other) => overlap(a, other));
      if (b === undefined) continue;
      fold(cover, a, b);
      merged = true;
      break;
    }
  }
  return cover;
}

function fold(cover: Map<string, MqttSubscribeOptions>, a: string, b: string): void {
  const joined = join(a, b);
  const parts = [cover.get(a), cover.get(b), cover.get(joined)].filter((o) => o !== undefined);
  cover.delete(a);
  cover.delete(b);
  cover.set(joined, {
    qos: Math.max(...parts.map((o) => o.qos)) as 0 | 1 | 2,
    retained: parts.some((o) => o.retained),
  });
}

/** Whether some topic matches both filters (§4.7.1; §4.7.2: a wildcard first level matches no `$` topic). */
export function overlap(a: string, b: string): boolean {
  const x = a.split("/");
  const y = b.split("/");
  if (dollar(x[0]) !== dollar(y[0]) && (wild(x[0]) || wild(y[0]))) return false;
  for (let i = 0; ; i++) {
    const p = x[i];
    const q = y[i];
    if (p === "#" || q === "#") return true;
    if (p === undefined || q === undefined) return p === q;
    if (p !== q && p !== "+" && q !== "+") return false;
  }
}

/** The narrowest filter this simple rule finds that covers two overlapping ones: a differing level becomes `+`, the rest `#`. */
function join(a: string, b: string): string {
  const x = a.split("/");
  const y = b.split("/");
  const out: string[] = [];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    // §4.7.1.2: `#` also matches the parent level, so a filter that ended here is covered by `#`.
    if (p === "#" || q === "#" || p === undefined || q === undefined) return [...out, "#"].join("/");
    out.push(p === q ? p : "+");
  }
  return out.join("/");
}

const dollar = (level: string | undefined): boolean => level?.startsWith("$") === true;
const wild = (level: string | undefined): boolean => level === "+" || level === "#";
