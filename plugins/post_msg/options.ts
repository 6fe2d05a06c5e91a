/** The options of a `plugin: post_msg` route: the single source of their types, defaults and docs. */
import { Type, type Static } from "@sinclair/typebox";
import { parseJid, type OptionProblem } from "../../src/plugin-api.ts";

export const PostMsgOptionsSchema = Type.Object(
  {
    fallback_from: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The sender when the server grants no XEP-0356 message permission, or when the caller's identity has no JID (header scheme, bearer token without jid). Must be the component domain or an address at it. Default: the component domain.",
      }),
    ),
    realm: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'The realm of this route\'s Basic challenge (WWW-Authenticate). Default: "<xmpp.host>/post_msg", as mod_post_msg sent; it replaces the auth scheme\'s realm on this route.',
      }),
    ),
    max_body_bytes: Type.Integer({
      minimum: 1,
      default: 262_144,
      description: "Larger request bodies are refused with 413 (the default matches Prosody's c2s stanza size limit, 256 KiB).",
    }),
  },
  { additionalProperties: false },
);

export type PostMsgOptions = Static<typeof PostMsgOptionsSchema>;

export function validateOptions(options: PostMsgOptions): OptionProblem[] {
  const from = options.fallback_from;
  if (from === undefined || parseJid(from)) return [];
  return [{ path: ["options", "fallback_from"], message: `"${from}" is not a valid JID` }];
}

/**
 * A component may only send from its own domain: Prosody's mod_component closes the whole stream
 * with <invalid-from/> (RFC 6120 §4.9.3.9) on the first stanza from another one.
 */
export function fallbackFrom(options: PostMsgOptions, component: string, at: string): string {
  const from = options.fallback_from ?? component;
  if (parseJid(from)?.domain !== component.toLowerCase()) {
    throw new Error(`${at}.options.fallback_from: ${from} is not at the component's domain ${component}; the server would close the component stream on the first message`);
  }
  return from;
}
