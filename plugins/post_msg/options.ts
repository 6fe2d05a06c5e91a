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

/**
 * A component may only send from its own domain: Prosody's mod_component closes the whole stream
 * with <invalid-from/> (RFC 6120 §4.9.3.9) on the first stanza from another one, cutting every
 * route off. So `check` and start-up refuse a fallback_from elsewhere. Without a valid xmpp
 * section (`xmpp` undefined) the load fails anyway and only the JID itself is checked.
 */
export function validateOptions(options: PostMsgOptions, xmpp: { component: string } | undefined): OptionProblem[] {
  const from = options.fallback_from;
  if (from === undefined) return [];
  const jid = parseJid(from);
  if (!jid) return [{ path: ["options", "fallback_from"], message: `"${from}" is not a valid JID` }];
  if (xmpp === undefined || jid.domain === xmpp.component.toLowerCase()) return [];
  return [
    {
      path: ["options", "fallback_from"],
      message: `"${from}" is not at the component's domain ${xmpp.component}: the server would close the component stream on the first message (use ${xmpp.component} or name@${xmpp.component})`,
    },
  ];
}

/** The sender when the user cannot be: fallback_from (checked at load by validateOptions), or the component domain. */
export function fallbackFrom(options: PostMsgOptions, component: string): string {
  return options.fallback_from ?? component;
}
