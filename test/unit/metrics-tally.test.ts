// The per-request metrics are tallied in plain numbers and rendered at the scrape
// (src/metrics-tally.ts): /metrics must read exactly as prom-client's own Counter, Histogram and
// Gauge render the same events, recorded the way the gateway recorded them before.
import { describe, expect, test } from "bun:test";
import Counter from "prom-client/lib/counter";
import Gauge from "prom-client/lib/gauge";
import Histogram from "prom-client/lib/histogram";
import Registry from "prom-client/lib/registry";
import { createMetrics, type Metrics } from "../../src/metrics.ts";

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const TALLIED = [
  "stanzagate_http_requests_total",
  "stanzagate_http_request_duration_seconds",
  "stanzagate_http_requests_in_flight",
  "stanzagate_stanzas_total",
  "stanzagate_deliveries_total",
];

/** The same five metrics as prom-client objects, recorded through inc/observe as before the tally. */
function reference(): { record: Metrics; render: () => Promise<string> } {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({
    name: TALLIED[0] as string,
    help: "HTTP requests answered, by route pattern, method and status.",
    labelNames: ["route", "method", "status"],
    registers,
  });
  const latency = new Histogram({
    name: TALLIED[1] as string,
    help: "Time to answer an HTTP request.",
    labelNames: ["route", "method"],
    buckets: BUCKETS,
    registers,
  });
  const inFlight = new Gauge({
    name: TALLIED[2] as string,
    help: "HTTP requests being handled now (across configurations during a reload).",
    registers,
  });
  const stanzas = new Counter({
    name: TALLIED[3] as string,
    help: "Stanzas sent to or received from the XMPP server, by kind.",
    labelNames: ["direction", "kind"],
    registers,
  });
  const deliveries = new Counter({
    name: TALLIED[4] as string,
    help: "Stanzas handed to delivery: sent (HTTP 201) or queued in the outbox (HTTP 202).",
    labelNames: ["outcome"],
    registers,
  });
  const kinds = new Set(["message", "presence", "iq"]);
  const record = {
    http(route: string, method: string, status: number, seconds: number) {
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route, method }, seconds);
    },
    inFlight: (delta: 1 | -1) => inFlight.inc(delta),
    stanza: (direction: "sent" | "received", kind: string) => stanzas.inc({ direction, kind: kinds.has(kind) ? kind : "other" }),
    delivery: (outcome: "sent" | "queued") => deliveries.inc({ outcome }),
  } as Partial<Metrics> as Metrics;
  return { record, render: () => registry.metrics() };
}

/** The rendered blocks (HELP, TYPE, samples) of the tallied metrics, in the order they appear. */
function tallied(text: string): string[] {
  // The last block of a text carries its final newline: trimmed, so that any block compares alike.
  return text
    .split("\n\n")
    .map((block) => block.trimEnd())
    .filter((block) => TALLIED.some((name) => block.startsWith(`# HELP ${name} `)));
}

/** Interleaved routes, methods, statuses and kinds; durations on, between and past the buckets. */
function traffic(m: Metrics, round: number): void {
  const routes = ["/msg/*", "/notify/:to", "(unmatched)", 'a "quoted"\\route'];
  const statuses = [201, 202, 404, 201, 413, 500];
  for (let i = 0; i < 60; i++) {
    m.inFlight(1);
    const seconds = [0, 0.001, 0.0011, 0.37, 10, 12.5, 1e-7 * i][i % 7] as number;
    m.http(
      routes[(i * 7 + round) % routes.length] as string,
      i % 5 === 0 ? "GET" : "POST",
      statuses[i % statuses.length] as number,
      seconds,
    );
    m.stanza(i % 3 === 0 ? "received" : "sent", ["message", "iq", "presence", "weird"][i % 4] as string);
    if (i % 4 !== 3) m.delivery(i % 2 === 0 ? "sent" : "queued");
    if (i % 9 !== 0) m.inFlight(-1);
  }
}

describe("the tallied per-request metrics", () => {
  test("render exactly as prom-client's own metrics did for the same events, scrape after scrape", async () => {
    const ours = createMetrics({
      outbox: () => ({ depth: 0, oldestQueuedAt: undefined }),
      link: () => ({ state: "offline", onlineSince: undefined }),
    });
    const theirs = reference();
    expect(tallied(await ours.render())).toEqual(tallied(await theirs.render()));
    for (let round = 0; round < 3; round++) {
      traffic(ours, round);
      traffic(theirs.record, round);
      const text = await ours.render();
      expect(tallied(text)).toEqual(tallied(await theirs.render()));
      expect(tallied(text)).toHaveLength(TALLIED.length);
    }
  });

  test("a scrape with nothing new in between reads the same", async () => {
    const ours = createMetrics({
      outbox: () => ({ depth: 0, oldestQueuedAt: undefined }),
      link: () => ({ state: "offline", onlineSince: undefined }),
    });
    traffic(ours, 0);
    const first = tallied(await ours.render());
    expect(tallied(await ours.render())).toEqual(first);
  });

  test("a duration that is not a number is refused, as prom-client refused it", () => {
    const ours = createMetrics({
      outbox: () => ({ depth: 0, oldestQueuedAt: undefined }),
      link: () => ({ state: "offline", onlineSince: undefined }),
    });
    expect(() => ours.http("/msg/*", "POST", 201, Number.NaN)).toThrow(TypeError);
  });
});
