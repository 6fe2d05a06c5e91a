/**
 * The sections of routes.yaml the core itself reads (the XMPP link, HTTP, the store, the outbox,
 * the throttle, logging), as loadConfig returns them checked. Every other section, route kind and
 * auth kind is a feature's (src/feature-api.ts): src/features/index.ts puts the whole type together.
 */
import type { Static } from "@sinclair/typebox";
import type { AttachmentsConfig } from "../files/schema.ts";
import type { TopicsConfig } from "../topics/schema.ts";
import type { MqttConfig } from "../mqtt/schema.ts";
import type { HttpSchema, OutboxSchema, ThrottleSchema, LogSchema, Xmpp } from "./schema.ts";

export interface CoreConfig {
  xmpp: Xmpp;
  http: Static<typeof HttpSchema>;
  store: string;
  outbox: Static<typeof OutboxSchema>;
  /** Files and images (src/files/): with every default filled in, whether or not http.public_url turns them on. */
  attachments: AttachmentsConfig;
  /** The topics' cache (src/topics/), every default filled in. */
  topics: TopicsConfig;
  /** The MQTT broker connection (src/mqtt/, issue 23), its computed defaults filled in; undefined: no MQTT at all. */
  mqtt?: MqttConfig | undefined;
  auth_throttle: Static<typeof ThrottleSchema>;
  log: Static<typeof LogSchema>;
}
