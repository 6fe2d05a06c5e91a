/**
 * From the fields of a request to the <message/> mod_post_msg would send: recipient, type, body
 * and, for forms, an XHTML-IM payload. No id is set and nothing else is added, as in the original.
 */
import { GatewayError, type Element } from "../../src/plugin-api/index.ts";
import { isXmlText } from "../../src/kit/xml-text.ts";
import { parseJid, formatJid } from "../../src/kit/jid.ts";
import { xml } from "../../src/kit/xml.ts";
import { POST_MSG_ERRORS } from "./errors.ts";
import { MarkupError, NS_XHTML_IM, parseXhtmlBody } from "./xhtml.ts";

/**
 * RFC 6121 §5.2.2 lists the message types. `error` is left out: an error stanza must carry an
 * <error/> child (RFC 6120 §8.3.1), which this API cannot produce.
 */
const MESSAGE_TYPES = ["chat", "normal", "headline", "groupchat"] as const;
const DEFAULT_TYPE = "chat";

/** What a request asks for, whatever its Content-Type. */
export interface MessageFields {
  to?: string | undefined;
  type?: string | undefined;
  body?: string | undefined;
  html?: string | undefined;
}

/**
 * The <message/> without to and from: the body is checked first (400 before 422, as in the
 * original), and from depends on who sends it (see sender.ts).
 */
export function buildMessage(fields: MessageFields): Element {
  const message = xml("message", { type: messageType(fields.type) });
  if (fields.body !== undefined) message.c("body").t(checkedText(fields.body, "body"));
  if (fields.html !== undefined) message.c("html", { xmlns: NS_XHTML_IM }).cnode(xhtmlBody(fields.html));
  return message;
}

function messageType(type: string | undefined): string {
  if (type === undefined) return DEFAULT_TYPE;
  if ((MESSAGE_TYPES as readonly string[]).includes(type)) return type;
  throw new GatewayError("INVALID_BODY", `type must be one of ${MESSAGE_TYPES.join(", ")}`, {
    details: { field: "type", found: type, allowed: MESSAGE_TYPES },
  });
}

function checkedText(text: string, field: string): string {
  if (!isXmlText(text)) throw new GatewayError("INVALID_XML_TEXT", undefined, { details: { field } });
  return text;
}

function xhtmlBody(markup: string): Element {
  try {
    return parseXhtmlBody(markup);
  } catch (err) {
    if (!(err instanceof MarkupError)) throw err;
    throw new GatewayError("INVALID_MARKUP", `html is not well-formed XML: ${err.message}`, {
      details: { field: "html", offset: err.offset },
    });
  }
}

/**
 * The recipient as mod_post_msg's README promises it: `user` alone means user@<default host>
 * (the caller's own domain); a resource is kept. Localparts are compared case-insensitively
 * (RFC 7622 §3.3), so they are lowercased as the server's nodeprep would. An address that is not
 * a JID is 422, as the original answered for a path it could not prepare.
 */
export function resolveRecipient(raw: string | undefined, defaultHost: string): string {
  if (raw === undefined || raw === "")
    throw new GatewayError(POST_MSG_ERRORS.MISSING_RECIPIENT, "No recipient: put it in the path (/msg/user) or in the to field");
  const slash = raw.indexOf("/");
  const bare = slash === -1 ? raw : raw.slice(0, slash);
  const qualified = bare.includes("@") ? raw : `${bare}@${defaultHost}${slash === -1 ? "" : raw.slice(slash)}`;
  const jid = parseJid(qualified);
  if (!jid?.local) {
    throw new GatewayError("INVALID_JID", `Not a valid recipient: ${raw}`, { status: 422, details: { field: "to", to: raw } });
  }
  return formatJid({ ...jid, local: jid.local.toLowerCase() });
}

/** The wildcard tail of /msg/<recipient>, percent-decoded as Prosody decodes request paths. */
export function pathRecipient(tail: string | undefined): string | undefined {
  if (!tail) return undefined;
  try {
    return decodeURIComponent(tail);
  } catch {
    throw new GatewayError("INVALID_JID", "The recipient in the path is not valid percent-encoding", {
      status: 422,
      details: { field: "to", to: tail },
    });
  }
}
