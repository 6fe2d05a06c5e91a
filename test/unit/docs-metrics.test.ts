// The metrics the docs name are the ones /metrics has (review of issue 23, finding 17: docs/mqtt.md
// sent readers to a counter that never moved for the case it described). Every metric the code
// registers is read from its source (name and label names), so a plugin's or a feature's metric
// counts too without starting it; docs/operations.md lists every one of them, and every name and
// label that docs/operations.md, mqtt.md, formats.md and bots.md write is one the code has.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../..");
const DOCS = ["docs/operations.md", "docs/mqtt.md", "docs/formats.md", "docs/bots.md"];

/**
 * name -> label names, from the registrations in src/ and plugins/: `name: "stanzagate_..."` with
 * its `labelNames`, the one-line helpers `gauge("stanzagate_...")` / `counter("stanzagate_...")`,
 * and a plugin's `ctx.metrics` or a feature's `ctx.pluginMetrics("p")`, named stanzagate_<p>_<name>.
 */
function registered(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of new Bun.Glob("{src,plugins}/**/*.ts").scanSync(ROOT)) {
    const text = readFileSync(join(ROOT, file), "utf8");
    const plugin = /^plugins\/([a-z_]+)\//.exec(file)?.[1];
    for (const m of text.matchAll(/(?:pluginMetrics\("([a-z_]+)"\)|metrics)\.(?:counter|histogram)\(\{\s*name: "([a-z_]+)"([^}]*)\}/g)) {
      const owner = m[1] ?? plugin;
      if (owner) found.set(`stanzagate_${owner}_${m[2]}`, labelsOf(m[3] ?? ""));
    }
    for (const m of text.matchAll(/name: "(stanzagate_[a-z_]+)"([^}]*)\}/g)) found.set(m[1] as string, labelsOf(m[2] ?? ""));
    for (const m of text.matchAll(/(?:gauge|counter)\(\s*"(stanzagate_[a-z_]+)"/g)) found.set(m[1] as string, []);
  }
  return found;
}

function labelsOf(literal: string): string[] {
  const list = /label(?:Name)?s: \[([^\]]*)\]/.exec(literal)?.[1] ?? "";
  return [...list.matchAll(/"([a-z_]+)"/g)].map((m) => m[1] as string);
}

/** Each `stanzagate_name` or `stanzagate_name{label, label="value"}` a doc writes, with its line. */
function mentioned(file: string): Array<{ at: string; name: string; labels: string[] }> {
  const text = readFileSync(join(ROOT, file), "utf8");
  return [...text.matchAll(/stanzagate_([a-z_]*[a-z])(?:\{([^}]*)\})?/g)].map((m) => ({
    at: `${file}:${text.slice(0, m.index).split("\n").length}`,
    // A histogram's series are its name with _bucket, _sum and _count.
    name: `stanzagate_${m[1]}`.replace(/_(bucket|sum|count)$/, ""),
    labels: (m[2] ?? "").split(",").flatMap((part) => /^\s*([a-z_]+)/.exec(part)?.[1] ?? []),
  }));
}

const metrics = registered();

describe("metrics in the docs", () => {
  test("the sources register the metrics this test reads (core, MQTT, a feature's, a plugin's)", () => {
    expect(metrics.get("stanzagate_http_requests_total")).toEqual(["route", "method", "status"]);
    expect(metrics.get("stanzagate_mqtt_refused_total")).toEqual(["reason"]);
    expect(metrics.get("stanzagate_mqtt_route_messages_total")).toEqual(["route", "outcome"]);
    expect(metrics.get("stanzagate_component_http_webhook_seconds")).toEqual(["outcome"]);
    expect(metrics.get("stanzagate_outbox_depth")).toEqual([]);
  });

  test.each(DOCS)("every metric %s names exists, with the labels it gives it", (file) => {
    const wrong = mentioned(file).flatMap(({ at, name, labels }) => {
      const known = metrics.get(name);
      if (!known) return [`${at}: ${name} is not a metric`];
      return labels
        .filter((l) => !known.includes(l))
        .map((l) => `${at}: ${name} has no label ${l} (it has: ${known.join(", ") || "none"})`);
    });
    expect(wrong).toEqual([]);
  });

  test("docs/operations.md's table lists every metric", () => {
    const listed = new Set(mentioned("docs/operations.md").map((m) => m.name));
    expect([...metrics.keys()].filter((name) => !listed.has(name)).sort()).toEqual([]);
  });
});
