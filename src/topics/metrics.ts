/**
 * The topics' figures on /metrics (issue 22 §4), read when scraped from the one Topics instance
 * the gateway keeps: live subscribers now, and those closed for falling behind since start.
 */
import Counter from "prom-client/lib/counter";
import Gauge from "prom-client/lib/gauge";
import type Registry from "prom-client/lib/registry";

export type TopicStats = () => { subscribers: number; dropped: number };

/** Registers the two metrics; returns where the gateway says what to read them from. */
export function topicMetrics(registry: Registry): (source: TopicStats) => void {
  let read: TopicStats = () => ({ subscribers: 0, dropped: 0 });
  new Gauge({
    name: "stanzagate_topic_subscribers",
    help: "Live subscriptions to topics (ntfy's subscribe API streams and WebSockets).",
    registers: [registry],
    collect() {
      this.set(read().subscribers);
    },
  });
  new Counter({
    name: "stanzagate_topic_subscribers_dropped_total",
    help: "Subscribers closed because they fell more than their buffer behind (they resume with since=).",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read().dropped);
    },
  });
  return (source) => void (read = source);
}
