/**
 * The options of a `plugin: component_http` route: the single source of truth for their types,
 * defaults, load-time checks and the options table in README.md.
 */
import { Type, type Static } from "@sinclair/typebox";
import { parseJid } from "../../src/kit/jid.ts";
import type { OptionProblem } from "../../src/plugin-api/index.ts";

const StanzaKindSchema = Type.Union([Type.Literal("message"), Type.Literal("presence"), Type.Literal("iq")]);

export const ComponentHttpOptionsSchema = Type.Object(
  {
    post_url: Type.String({
      minLength: 1,
      description: "Where each stanza is POSTed (the module's `component_post_url`): an http:// or https:// URL.",
    }),
    stanzas: Type.Array(StanzaKindSchema, {
      default: ["message"],
      uniqueItems: true,
      description:
        "Stanza kinds forwarded (the module's `post_stanza_types`). Without `presence`, presence gets the built-in always-on contact (below).",
    }),
    local_parts: Type.Optional(
      Type.Array(Type.String(), {
        minItems: 1,
        description:
          'Local parts served: `[echo, help]` serves `echo@…` and `help@…`; `""` is the component domain itself. Compared case-insensitively. Default: every JID.',
      }),
    ),
    timeout_ms: Type.Integer({
      minimum: 1,
      default: 10_000,
      description:
        "A webhook call slower than this is abandoned; the sender gets `wait/remote-server-timeout`. Time spent waiting in the queue is not counted.",
    }),
    max_concurrent: Type.Integer({
      minimum: 1,
      default: 16,
      description:
        "Webhook calls in flight at once for this route. Replies may come back in another order than the stanzas when it is above 1.",
    }),
    max_queued: Type.Integer({
      minimum: 0,
      default: 1_000,
      description: "Stanzas waiting for a slot; beyond this they are answered `wait/resource-constraint`.",
    }),
    signing_secret: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "Signs each POST with HMAC-SHA256, Standard Webhooks style (below). `whsec_<base64>` is base64-decoded; any other string is used as its UTF-8 bytes. Write `${VAR}` to read it from the environment.",
      }),
    ),
    content_type: Type.Union([Type.Literal("application/x-www-form-urlencoded"), Type.Literal("application/json")], {
      default: "application/x-www-form-urlencoded",
      description: "The POST's Content-Type. The body is JSON either way; the default is what Prosody's HTTP client sends.",
    }),
    stanza_addresses: Type.Union([Type.Literal("swap"), Type.Literal("keep")], {
      default: "swap",
      description:
        "For an answer carrying `stanza`: `swap` overwrites its `to`/`from` with the request's swapped addresses (what the module's code does); `keep` keeps them and fills only missing ones (what the module's README says).",
    }),
  },
  { additionalProperties: false },
);

export type ComponentHttpOptions = Static<typeof ComponentHttpOptionsSchema>;

/** Checks the schema cannot express: a usable URL, local parts that are valid JID local parts. */
export function validateOptions(options: ComponentHttpOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  if (!isHttpUrl(options.post_url)) {
    problems.push({
      path: ["options", "post_url"],
      message: `must be an http:// or https:// URL, not ${JSON.stringify(options.post_url)}`,
    });
  }
  (options.local_parts ?? []).forEach((local, i) => {
    if (local !== "" && parseJid(`${local}@example.org`)?.local !== local) {
      problems.push({ path: ["options", "local_parts", i], message: `${JSON.stringify(local)} is not a valid JID local part` });
    }
  });
  return problems;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
