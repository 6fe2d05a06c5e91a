/** What a generation borrows from the gateway (core.ts, app.ts): what outlives it. */
import type { Element } from "ltx";
import type { Config } from "../features/index.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Throttle } from "../auth/throttle.ts";
import type { HealthReport } from "../feature-api.ts";
import type { XmppLink } from "../xmpp/link.ts";
import type { Rooms } from "../rooms/rooms.ts";
import type { Store } from "../store/types.ts";

export interface GenerationDeps {
  config: Config;
  link: XmppLink;
  /** Delivery, counted as sent (201) or queued (202). */
  deliver(stanza: Element): Promise<"sent" | "queued">;
  /** Room in the outbox for every one of `stanzas` (xmpp/delivery.ts `reserve`). */
  reserve(stanzas: readonly Element[]): () => void;
  store: Store;
  /** A failed write to the store, for /health (core.ts). */
  storeFailed(op: string, err: unknown): void;
  log: Logger;
  metrics: Metrics;
  fetch: typeof fetch;
  throttle: Throttle;
  health(): HealthReport;
  /** Whether the component link is up (the xmpp auth scheme's offline grace). */
  linkOnline(): boolean;
  newId(): string;
  /** What features keep across generations, by feature (FeatureContext.gateway.keep). */
  kept: Map<string, unknown>;
  /** The gateway's rooms, which outlive a generation as the link does (rooms/rooms.ts). */
  rooms: Rooms;
  /** What each feature's runtime of the configuration this one replaces handed over (a reload), by feature. */
  handover?: ReadonlyMap<string, unknown> | undefined;
}
