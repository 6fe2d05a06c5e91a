/**
 * The metrics every request records (requests by route, method and status; their duration; the
 * stanzas and deliveries), tallied in plain numbers and handed to prom-client when scraped.
 * prom-client's `inc` and `observe` build a string of the labels, look it up and check every
 * label name on each call (its label-bound children too, in 15.x): 4% of post_msg's CPU samples
 * (bench/README.md, round 6). Here a label set is found through a Map per label, keyed by the
 * values themselves, and only the scrape builds what prom-client renders, so `/metrics` reads
 * exactly as before (test/unit/metrics-tally.test.ts compares both texts).
 */
import Counter from "prom-client/lib/counter";
import Histogram from "prom-client/lib/histogram";
import type Registry from "prom-client/lib/registry";

type Key = string | number;
type Labels = Record<string, string>;

/**
 * One cell per label set, found by its values (one Map level per label), kept in the order each
 * was first used: prom-client renders label sets in that order, so the text stays the same.
 */
class Cells<C> {
  readonly list: C[] = [];
  private readonly root = new Map<Key, unknown>();

  constructor(
    private readonly labelNames: readonly string[],
    private readonly make: (labels: Labels) => C,
  ) {}

  /** The cell of these label values, one per label name, in their order (no array made to find it). */
  at(a: Key, b: Key = "", c: Key = ""): C {
    const depth = this.labelNames.length;
    if (depth === 1) return this.leaf(this.root, a, a, b, c);
    const second = this.branch(this.root, a);
    if (depth === 2) return this.leaf(second, b, a, b, c);
    return this.leaf(this.branch(second, b), c, a, b, c);
  }

  private leaf(level: Map<Key, unknown>, key: Key, a: Key, b: Key, c: Key): C {
    return (level.get(key) as C | undefined) ?? this.add(level, key, [a, b, c]);
  }

  private branch(level: Map<Key, unknown>, key: Key): Map<Key, unknown> {
    let next = level.get(key) as Map<Key, unknown> | undefined;
    if (!next) level.set(key, (next = new Map()));
    return next;
  }

  private add(level: Map<Key, unknown>, key: Key, keys: readonly Key[]): C {
    const labels: Labels = {};
    // Keys in labelNames' order, as the call sites spelled them before: the rendered order.
    this.labelNames.forEach((name, i) => {
      labels[name] = String(keys[i]);
    });
    const cell = this.make(labels);
    level.set(key, cell);
    this.list.push(cell);
    return cell;
  }
}

interface CountCell {
  labels: Labels;
  /** Counted since the last scrape. */
  pending: number;
}

/** A labelled counter: `at(...).pending++` to count; the scrape adds the pending counts through `inc`. */
export function talliedCounter(config: { name: string; help: string; labelNames: string[]; registry: Registry }): Cells<CountCell> {
  const cells = new Cells<CountCell>(config.labelNames, (labels) => ({ labels, pending: 0 }));
  new Counter({
    name: config.name,
    help: config.help,
    labelNames: config.labelNames,
    registers: [config.registry],
    collect() {
      for (const cell of cells.list) {
        if (cell.pending === 0) continue;
        this.inc(cell.labels, cell.pending);
        cell.pending = 0;
      }
    },
  });
  return cells;
}

interface TimeCell {
  labels: Labels;
  /** Observations per bucket (not cumulative); one past the last bound: above them all. */
  buckets: number[];
  sum: number;
  count: number;
}

export interface TalliedHistogram {
  observe(a: Key, b: Key, value: number): void;
}

/**
 * A labelled histogram. prom-client has no call that adds counts in bulk, so the registry renders
 * this one from its cells (`getForPromString`, what Registry#metrics reads), in the shape its own
 * Histogram gives: per label set the cumulative buckets, `+Inf`, `_sum` and `_count`.
 */
export function talliedHistogram(config: {
  name: string;
  help: string;
  labelNames: string[];
  buckets: number[];
  registry: Registry;
}): TalliedHistogram {
  const bounds = config.buckets;
  const cells = new Cells<TimeCell>(config.labelNames, (labels) => ({ labels, buckets: bounds.map(() => 0).concat(0), sum: 0, count: 0 }));
  const metric = new Histogram({ name: config.name, help: config.help, labelNames: config.labelNames, buckets: bounds, registers: [] });
  const rendered = Object.assign(metric, {
    getForPromString: async () => ({
      name: config.name,
      help: config.help,
      type: "histogram",
      values: cells.list.flatMap((cell) => histogramValues(config.name, bounds, cell)),
      aggregator: "sum",
    }),
  });
  config.registry.registerMetric(rendered);
  return {
    observe(a, b, value) {
      if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
      const cell = cells.at(a, b);
      let i = 0;
      while (i < bounds.length && value > (bounds[i] as number)) i++;
      (cell.buckets[i] as number)++;
      cell.sum += value;
      cell.count++;
    },
  };
}

/** prom-client's samples of one label set (histogram.js extractBucketValuesForExport, addSumAndCountForExport). */
function histogramValues(name: string, bounds: readonly number[], cell: TimeCell) {
  let cumulative = 0;
  const bucket = `${name}_bucket`;
  const sample = (labels: Record<string, string | number>, value: number, metricName: string) => ({
    labels,
    sharedLabels: cell.labels,
    value,
    metricName,
    exemplar: null,
  });
  return [
    ...bounds.map((le, i) => sample({ le }, (cumulative += cell.buckets[i] as number), bucket)),
    sample({ le: "+Inf" }, cell.count, bucket),
    sample({}, cell.sum, `${name}_sum`),
    sample({}, cell.count, `${name}_count`),
  ];
}
