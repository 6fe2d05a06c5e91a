/**
 * `stanzagate render --route mqtt:TOPIC` is shared by two features: the routes render their MQTT
 * routes and hand over to what else reads the topic (bots' watching jobs). A feature imports no
 * other, so what passes between them is declared here; main.ts joins the two.
 */
import type { Element } from "ltx";
import type { CliOutput } from "../feature-api.ts";

export type RenderIo = CliOutput & { pretty(el: Element): string };

/** What else reads a topic's messages (bots/render-watch.ts), rendered after the routes. */
export interface TopicWatchers {
  filters: readonly string[];
  /** How many of them take the topic, and whether one of them fails on the message. */
  render(topic: string, payload: Uint8Array, io: RenderIo): Promise<{ matched: number; failed: boolean }>;
}
