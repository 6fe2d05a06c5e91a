/**
 * Finding the server's upload service (XEP-0363 §3): the entity whose disco#info lists
 * `urn:xmpp:http:upload:0`. "A user's server SHOULD include any known entities that provide such
 * services into its service discovery items", so the candidates are the server's disco#items
 * (XEP-0030 §4), after the server itself (Prosody can load mod_http_file_share on a VirtualHost).
 * Prosody and ejabberd both list their upload component there (test/integration/features/files/upload-xep0363.test.ts).
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { XmppStanzaError } from "../../plugin-api/errors.ts";

export const NS_HTTP_UPLOAD = "urn:xmpp:http:upload:0";
const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
const NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
const NS_DATA = "jabber:x:data";
/** A server lists a handful of services; past this many it is not worth a disco#info each. */
const MAX_CANDIDATES = 32;

/** One disco query to `to`; resolves with the result iq, rejects on an error or no answer. */
export type Ask = (to: string, query: Element) => Promise<Element>;

export interface UploadService {
  jid: string;
  /** The service's max-file-size (XEP-0363 §3, a XEP-0128 field), undefined when it states none. */
  maxFileBytes: number | undefined;
}

/**
 * The first upload service of `host` in disco order, or undefined when there is none. A server
 * that cannot be asked (the link is down, no answer) is an error, not a server without one.
 */
export async function discoverUploadService(ask: Ask, host: string): Promise<UploadService | undefined> {
  const items = await ask(host, xml("query", { xmlns: NS_DISCO_ITEMS })).then(itemJids, (err: unknown) => {
    if (err instanceof XmppStanzaError) return []; // answered: it lists no items
    throw err;
  });
  const candidates = [host, ...items.filter((jid) => jid !== host)].slice(0, MAX_CANDIDATES);
  const answers = await Promise.allSettled(candidates.map((jid) => ask(jid, xml("query", { xmlns: NS_DISCO_INFO }))));
  for (const [i, answer] of answers.entries()) {
    const info = answer.status === "fulfilled" ? answer.value.getChild("query", NS_DISCO_INFO) : undefined;
    if (info && offersUpload(info)) return { jid: candidates[i] as string, maxFileBytes: maxFileSize(info) };
  }
  return undefined;
}

/** Items without a node: a node is a part of an entity, not a service of its own (XEP-0030 §4.1). */
function itemJids(answer: Element): string[] {
  const items = answer.getChild("query", NS_DISCO_ITEMS)?.getChildren("item") ?? [];
  return items.flatMap((item) => (item.attrs.node === undefined && typeof item.attrs.jid === "string" ? [item.attrs.jid] : []));
}

function offersUpload(info: Element): boolean {
  return info.getChildren("feature").some((feature) => feature.attrs.var === NS_HTTP_UPLOAD);
}

/**
 * The max-file-size of the form whose FORM_TYPE is the namespace (XEP-0128 §3): ejabberd sends
 * one form per namespace it speaks (the older `urn:xmpp:http:upload` too), each with its own.
 */
function maxFileSize(info: Element): number | undefined {
  const form = info.getChildren("x", NS_DATA).find((x) => fieldValue(x, "FORM_TYPE") === NS_HTTP_UPLOAD);
  const value = form ? fieldValue(form, "max-file-size") : undefined;
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

function fieldValue(form: Element, name: string): string | undefined {
  const field = form.getChildren("field").find((f) => f.attrs.var === name);
  return field?.getChildText("value")?.trim();
}
