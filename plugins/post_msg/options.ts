/** The options of a `plugin: post_msg` route: the single source of their types, defaults and docs. */
import { Type, type Static } from "@sinclair/typebox";
import { parseJid } from "../../src/kit/jid.ts";
import type { OptionProblem } from "../../src/plugin-api/index.ts";

export const PostMsgOptionsSchema = Type.Object(
  {
    fallback_from: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The sender when the server grants no message permission, or when the caller has no JID (`header`, a `bearer` token without `jid`), or when the user belongs to a domain of the server that granted none (each virtual host advertises its own grants; a user of any host that granted `message` is sent as that user). It must be the component domain or an address at it (`notify@gateway.example.com`): `check` and start-up refuse any other (below), because Prosody closes the component stream on a stanza from a foreign domain. Default: the component domain.",
      }),
    ),
    realm: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'The realm of the Basic challenge on this route, as the original sent it (`Basic realm="example.com/post_msg"`). It replaces the auth scheme\'s own `realm` on this route. Default: `<xmpp.host>/post_msg`.',
      }),
    ),
    max_body_bytes: Type.Integer({
      minimum: 1,
      default: 262_144,
      description: "Larger bodies get 413. The default is Prosody's c2s stanza size limit (256 KiB).",
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
