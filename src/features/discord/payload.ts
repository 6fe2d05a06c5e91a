/**
 * An execute-webhook payload checked as Discord checks it (discord-api-docs resources/webhook.mdx
 * "Execute Webhook", resources/message.mdx "Embed Limits"): the fields a message shows, their
 * types and lengths, every problem collected for one 400 50035. Keys Discord has but a chat
 * message cannot show (tts, allowed_mentions, components, flags, thread_name...) are accepted
 * and left out; null is "not given", as Discord reads it. Every string must be text XML can
 * carry (XEP-0114 streams close on anything else), so a message never fails half-way.
 */
import { isRecord, textOf } from "../../kit/bounded.ts";
import { isXmlText } from "../../kit/xml-text.ts";
import type { FieldProblem } from "./errors.ts";

interface EmbedField {
  name: string;
  value: string;
}

export interface Embed {
  title?: string;
  description?: string;
  url?: string;
  /** RGB as an integer (0x992D22). */
  color?: number;
  timestamp?: string;
  footer?: { text: string };
  author?: { name: string; url?: string };
  image?: string;
  thumbnail?: string;
  fields?: EmbedField[];
}

/** What a message shows, as stored for a later PATCH and answered in the message object. */
export interface DiscordMessage {
  content?: string;
  username?: string;
  avatar_url?: string;
  embeds?: Embed[];
}

type Path = ReadonlyArray<string | number>;

const MAX = { content: 2000, embeds: 10, title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024 };
const MAX_FOOTER = 2048;
const MAX_AUTHOR = 256;
/** resources/message.mdx: the characters of every embed's texts together. */
const MAX_EMBED_TOTAL = 6000;

/** The message a payload describes, or every problem of it. */
export function checkPayload(raw: Record<string, unknown>): { message: DiscordMessage } | { problems: FieldProblem[] } {
  const c = new Checker();
  const message: DiscordMessage = {
    content: c.text(raw.content, ["content"], MAX.content),
    username: c.text(raw.username, ["username"], 80, 1),
    avatar_url: c.text(raw.avatar_url, ["avatar_url"], 2048),
    embeds: c.list(raw.embeds, ["embeds"], MAX.embeds, (e, at) => checkEmbed(e, at, c)),
  };
  const total = (message.embeds ?? []).reduce((n, e) => n + embedLength(e), 0);
  if (total > MAX_EMBED_TOTAL) c.problem(["embeds"], "MAX_EMBED_SIZE_EXCEEDED", `Embed size exceeds maximum size of ${MAX_EMBED_TOTAL}`);
  return c.problems.length ? { problems: c.problems } : { message: withoutUndefined(message) };
}

function checkEmbed(raw: unknown, at: Path, c: Checker): Embed | undefined {
  if (!c.object(raw, at)) return undefined;
  const footer = c.object(raw.footer, [...at, "footer"]) ? c.text(raw.footer.text, [...at, "footer", "text"], MAX_FOOTER) : undefined;
  const author = c.object(raw.author, [...at, "author"]) ? raw.author : undefined;
  const authorName = author ? c.text(author.name, [...at, "author", "name"], MAX_AUTHOR) : undefined;
  const embed: Embed = {
    title: c.text(raw.title, [...at, "title"], MAX.title),
    description: c.text(raw.description, [...at, "description"], MAX.description),
    url: c.text(raw.url, [...at, "url"], 2048),
    color: c.color(raw.color, [...at, "color"]),
    timestamp: c.text(raw.timestamp, [...at, "timestamp"], 64),
    footer: footer === undefined ? undefined : { text: footer },
    author:
      authorName === undefined
        ? undefined
        : withoutUndefined({ name: authorName, url: c.text(author?.url, [...at, "author", "url"], 2048) }),
    image: c.object(raw.image, [...at, "image"]) ? c.text(raw.image.url, [...at, "image", "url"], 2048) : undefined,
    thumbnail: c.object(raw.thumbnail, [...at, "thumbnail"]) ? c.text(raw.thumbnail.url, [...at, "thumbnail", "url"], 2048) : undefined,
    fields: c.list(raw.fields, [...at, "fields"], MAX.fields, (f, fat) => checkField(f, fat, c)),
  };
  return withoutUndefined(embed);
}

function checkField(raw: unknown, at: Path, c: Checker): EmbedField | undefined {
  if (!c.object(raw, at)) return undefined;
  const name = c.text(raw.name, [...at, "name"], MAX.fieldName, 0, true);
  const value = c.text(raw.value, [...at, "value"], MAX.fieldValue, 0, true);
  return name === undefined || value === undefined ? undefined : { name, value };
}

const embedLength = (e: Embed): number =>
  [e.title, e.description, e.footer?.text, e.author?.name, ...(e.fields ?? []).flatMap((f) => [f.name, f.value])].reduce(
    (n, s) => n + (s?.length ?? 0),
    0,
  );

/** Collects problems while reading: each reader answers the value, or undefined when absent or wrong. */
class Checker {
  readonly problems: FieldProblem[] = [];

  problem(path: Path, code: string, message: string): void {
    this.problems.push({ path, code, message });
  }

  text(raw: unknown, at: Path, max: number, min = 0, required = false): string | undefined {
    if (raw === undefined || raw === null) {
      if (required) this.problem(at, "BASE_TYPE_REQUIRED", "This field is required");
      return undefined;
    }
    // Discord coerces numbers to strings where it wants one (a color-less embed field value of 3).
    const s = textOf(raw);
    if (s === undefined) return void this.problem(at, "BASE_TYPE_STRING", `Could not interpret "${short(raw)}" as string.`);
    if (s.length > max || s.length < min)
      return void this.problem(at, min ? "BASE_TYPE_BAD_LENGTH" : "BASE_TYPE_MAX_LENGTH", lengthSentence(min, max));
    if (!isXmlText(s)) return void this.problem(at, "INVALID_CHARACTERS", "Contains characters a chat message cannot carry.");
    return s;
  }

  color(raw: unknown, at: Path): number | undefined {
    if (raw === undefined || raw === null) return undefined;
    const n = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 0xffffff) return n;
    return void this.problem(at, "NUMBER_TYPE_MAX", "Must be an integer from 0 to 16777215.");
  }

  object(raw: unknown, at: Path): raw is Record<string, unknown> {
    if (raw === undefined || raw === null) return false;
    if (isRecord(raw)) return true;
    this.problem(at, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType");
    return false;
  }

  list<T>(raw: unknown, at: Path, max: number, item: (value: unknown, at: Path) => T | undefined): T[] | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (!Array.isArray(raw)) return void this.problem(at, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType");
    if (raw.length > max) return void this.problem(at, "BASE_TYPE_MAX_LENGTH", `Must be ${max} or fewer in length.`);
    return raw.flatMap((v, i) => item(v, [...at, i]) ?? []);
  }
}

const lengthSentence = (min: number, max: number) =>
  min ? `Must be between ${min} and ${max} in length.` : `Must be ${max} or fewer in length.`;

const short = (raw: unknown) => {
  const s = JSON.stringify(raw) ?? String(raw);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
};

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
