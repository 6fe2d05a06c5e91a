/**
 * The options of a `plugin: component_http` route: the single source of truth for their types,
 * defaults, load-time checks and the options table in README.md.
 */
import { Type, type Static } from "@sinclair/typebox";
import { parseJid, type OptionProblem } from "../../src/plugin-api.ts";

export const StanzaKindSchema = Type.Union([Type.Literal("message"), Type.Literal("presence"), Type.Literal("iq")]);
export type StanzaKind = Static<typeof StanzaKindSchema>;

export const ComponentHttpOptionsSchema = Type.Object(
  {
    post_url: Type.String({ minLength: 1, description: "The webhook every forwarded stanza is POSTed to (mod_component_http's component_post_url)." }),
    stanzas: Type.Array(StanzaKindSchema, {
      default: ["message"],
      uniqueItems: true,
      description: "Stanza kinds forwarded to the webhook (the module's post_stanza_types). Without presence, presence is answered by a built-in always-on contact.",
    }),
    local_parts: Type.Optional(
      Type.Array(Type.String(), {
        minItems: 1,
        description: 'Local parts of the component JIDs this route serves ("" is the component domain itself). Default: every JID of the component.',
      }),
    ),
    timeout_ms: Type.Integer({ minimum: 1, default: 10_000, description: "A webhook call slower than this is abandoned and answered wait/remote-server-timeout." }),
    max_concurrent: Type.Integer({ minimum: 1, default: 16, description: "Webhook calls in flight at once; later stanzas wait in a queue." }),
    max_queued: Type.Integer({ minimum: 0, default: 1_000, description: "Stanzas waiting for a webhook slot; beyond this they are answered wait/resource-constraint." }),
    signing_secret: Type.Optional(
      Type.String({ minLength: 1, description: "Signs each POST (Standard Webhooks headers). `whsec_<base64>` is decoded; any other string is used as UTF-8 bytes. Use ${VAR}." }),
    ),
    content_type: Type.Union([Type.Literal("application/x-www-form-urlencoded"), Type.Literal("application/json")], {
      default: "application/x-www-form-urlencoded",
      description: "The Content-Type of the POST. The body is JSON either way; Prosody's HTTP client labels it form-urlencoded, so that is the default.",
    }),
    stanza_addresses: Type.Union([Type.Literal("swap"), Type.Literal("keep")], {
      default: "swap",
      description: 'For an answer carrying `stanza`: "swap" overwrites its to/from with the request\'s swapped addresses (the module\'s code); "keep" keeps them and fills only missing ones (the module\'s README).',
    }),
  },
  { additionalProperties: false },
);

export type ComponentHttpOptions = Static<typeof ComponentHttpOptionsSchema>;

/** Checks the schema cannot express: a usable URL, local parts that are valid JID local parts. */
export function validateOptions(options: ComponentHttpOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  if (!isHttpUrl(options.post_url)) {
    problems.push({ path: ["options", "post_url"], message: `must be an http:// or https:// URL, not ${JSON.stringify(options.post_url)}` });
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
