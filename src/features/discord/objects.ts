/**
 * The objects Discord answers with (discord-api-docs resources/webhook.mdx, resources/message.mdx):
 * the webhook object for `GET <webhook URL>` (Uptime Kuma asks it before every send, to see
 * whether the webhook has an avatar) and the message object for `?wait=true` and PATCH. Ids are
 * snowflakes (reference.mdx "Snowflakes": milliseconds since 2015 in the top 42 bits), so a sender
 * that parses them as Discord's gets what it expects.
 */
import { createHash, randomInt } from "node:crypto";
import type { Attachment } from "../../files/types.ts";
import type { DiscordMessage, Embed } from "./payload.ts";

/** reference.mdx: the first second of 2015, Discord's epoch. */
const DISCORD_EPOCH = 1_420_070_400_000n;

/**
 * Snowflakes of one gateway process: its worker bits (0-1023: replicas sharing a store each take
 * their own, index.ts; random otherwise), an increment within a millisecond.
 */
export function snowflakes(now: () => number = Date.now, workerId: number = randomInt(0, 1024)): () => string {
  const worker = BigInt(workerId & 0x3ff) << 12n;
  let increment = 0n;
  return () => {
    increment = (increment + 1n) & 0xfffn;
    return String(((BigInt(now()) - DISCORD_EPOCH) << 22n) | worker | increment);
  };
}

/** A stable snowflake-shaped id for a name (the webhook's channel, its guild): the same on every start. */
function stableId(name: string): string {
  const n = BigInt(`0x${createHash("sha256").update(name).digest("hex").slice(0, 15)}`) & ((1n << 60n) - 1n);
  return String(n | (1n << 59n));
}

/** What a webhook route is called, from its path: Discord's `/api/webhooks/<id>/<token>`, or anything. */
export interface WebhookIdentity {
  id: string;
  token: string;
  channelId: string;
  guildId: string;
}

export function webhookIdentity(path: string): WebhookIdentity {
  const segments = path.split("/").filter((s) => s !== "");
  const token = segments.at(-1) ?? "";
  const named = segments.at(-2);
  return {
    id: named && /^\d{1,20}$/.test(named) ? named : stableId(`webhook ${path}`),
    token,
    channelId: stableId(`channel ${path}`),
    guildId: stableId(`guild ${path}`),
  };
}

/** Discord's "Get Webhook with Token" answer: type 1 is an incoming webhook; no avatar set. */
export function webhookObject(hook: WebhookIdentity, name: string): Record<string, unknown> {
  return {
    type: 1,
    id: hook.id,
    name,
    avatar: null,
    channel_id: hook.channelId,
    guild_id: hook.guildId,
    application_id: null,
    token: hook.token,
  };
}

/** An embed as Discord writes it: images are objects with a `url`, and every embed is "rich". */
function asDiscordEmbed({ image, thumbnail, ...rest }: Embed): Record<string, unknown> {
  return { type: "rich", ...rest, ...(image ? { image: { url: image } } : {}), ...(thumbnail ? { thumbnail: { url: thumbnail } } : {}) };
}

export interface MessageStamp {
  id: string;
  /** ISO 8601 of when it was sent. */
  timestamp: string;
  edited: string | null;
}

/** The message object Discord answers: type 0 (a default message), authored by the webhook as a bot. */
export function messageObject(hook: WebhookIdentity, message: DiscordMessage, stamp: MessageStamp, files: readonly Attachment[]) {
  return {
    id: stamp.id,
    type: 0,
    content: message.content ?? "",
    channel_id: hook.channelId,
    author: { id: hook.id, username: message.username ?? "Stanzagate", avatar: null, discriminator: "0000", bot: true },
    attachments: files.map((a, i) => attachmentObject(a, `${stamp.id}${i}`)),
    embeds: (message.embeds ?? []).map(asDiscordEmbed),
    mentions: [],
    mention_roles: [],
    pinned: false,
    mention_everyone: false,
    tts: false,
    timestamp: stamp.timestamp,
    edited_timestamp: stamp.edited,
    flags: 0,
    components: [],
    webhook_id: hook.id,
  };
}

/** Discord's attachment object (resources/message.mdx): the stored file's name, size, type and where it is served. */
function attachmentObject(a: Attachment, id: string): Record<string, unknown> {
  if (a.kind === "link") return { id, filename: a.name ?? a.url.split("/").at(-1) ?? "", url: a.url, proxy_url: a.url };
  const { name, size, type, url } = a.file;
  return { id, filename: name, size, url, proxy_url: url, content_type: type };
}
