/**
 * JID checks for addresses that come from input. RFC 7622 §3: localpart and resourcepart are at
 * most 1023 bytes, the domainpart is a hostname (or IP literal); the localpart excludes
 * `"&'/:<>@` and spaces (§3.3.1, via the UsernameCaseMapped profile).
 */
import { LruMap } from "./bounded.ts";

export interface Jid {
  local: string;
  domain: string;
  resource: string;
}

const LOCAL_FORBIDDEN = /[\s"&'/:<>@\u0000-\u001f\u007f]/;
const DOMAIN_LABEL = /^(?!-)[\p{L}\p{N}_-]{1,63}(?<!-)$/u;
const IP_LITERAL = /^\[[0-9a-fA-F:.]+\]$/;
const MAX_PART_BYTES = 1023;
const bytes = (s: string) => Buffer.byteLength(s, "utf8");

/**
 * JIDs parsed lately (null: not a JID). A message's addresses are parsed several times on its
 * way (the sender's domain, the recipient, the sender's bare JID, the delivery's loop check),
 * and a gateway sees the same few over and over. Bounded, as input picks them; each parsed JID
 * is frozen, since every caller shares it.
 */
const JIDS_KEPT = 256;
const jids = new LruMap<string, Readonly<Jid> | null>(JIDS_KEPT);

export function parseJid(input: string): Readonly<Jid> | undefined {
  let jid = jids.get(input);
  if (jid === undefined) {
    const parsed = parseUncached(input);
    jid = parsed ? Object.freeze(parsed) : null;
    jids.set(input, jid);
  }
  return jid ?? undefined;
}

function parseUncached(input: string): Jid | undefined {
  const slash = input.indexOf("/");
  const bare = slash === -1 ? input : input.slice(0, slash);
  const resource = slash === -1 ? "" : input.slice(slash + 1);
  const at = bare.lastIndexOf("@");
  const local = at === -1 ? "" : bare.slice(0, at);
  const domain = at === -1 ? bare : bare.slice(at + 1);
  if (at !== -1 && !validLocal(local)) return undefined;
  const comparable = checkedDomain(domain);
  if (comparable === undefined) return undefined;
  if (slash !== -1 && !validResource(resource)) return undefined;
  return { local, domain: comparable, resource };
}

/**
 * Domainparts checked lately, and what each compares as (null: not a domain). A gateway sees a
 * handful of domains over and over (its host, its component, rooms): checking the labels and
 * normalizing each time was a tenth of the stanza guard's cost. Bounded, as input picks them.
 */
const DOMAINS_KEPT = 256;
const domains = new LruMap<string, string | null>(DOMAINS_KEPT);

function checkedDomain(domain: string): string | undefined {
  let comparable = domains.get(domain);
  if (comparable === undefined) {
    comparable = validDomain(domain) ? comparableDomain(domain) : null;
    domains.set(domain, comparable);
  }
  return comparable ?? undefined;
}

/**
 * The domainpart as the server routes it, so that two spellings of one domain compare equal:
 * RFC 7622 §3.2 strips a final dot before routing or comparing, and the server's preparation
 * (IDNA mapping, RFC 5895: width and case) turns `ｇａｔｅｗａｙ.localhost` or `Gateway.Localhost.`
 * into `gateway.localhost`. Only a comparison that does the same can tell a reply that would come
 * straight back to this component (a loop) from one that leaves it.
 */
function comparableDomain(domain: string): string {
  const mapped = domain
    .replace(/[\u3002\uff0e\uff61]/g, ".")
    .normalize("NFKC")
    .toLowerCase();
  return mapped.endsWith(".") ? mapped.slice(0, -1) : mapped;
}

export function isJid(input: string): boolean {
  return parseJid(input) !== undefined;
}

export function formatJid(j: Jid): string {
  return `${j.local ? j.local + "@" : ""}${j.domain}${j.resource ? "/" + j.resource : ""}`;
}

export function bareJid(input: string): string {
  const j = parseJid(input);
  return j ? formatJid({ ...j, resource: "" }) : input;
}

/** The three parts of a JID, as RFC 7622 §3 names them. */
export type JidPart = "localpart" | "domainpart" | "resourcepart";

/** Characters no part may carry; the domainpart and localpart also exclude the separators. */
const CONTROL = /[\u0000-\u001f\u007f]/;
const DOMAIN_FORBIDDEN = /[\s@/\u0000-\u001f\u007f]/;

/**
 * Whether `text` can be (a piece of) the given part: it cannot carry the separators that would
 * end the part early, so a value rendered there can never move the address to another domain.
 * Emptiness and the full grammar are for the whole JID to check once assembled.
 */
export function fitsJidPart(part: JidPart, text: string): boolean {
  if (bytes(text) > MAX_PART_BYTES) return false;
  if (part === "localpart") return !LOCAL_FORBIDDEN.test(text); // §3.3.1: no " & ' / : < > @
  if (part === "domainpart") return !DOMAIN_FORBIDDEN.test(text); // §3.2: a hostname, no @ or /
  return !CONTROL.test(text); // §3.4: a resourcepart may hold any other character, '@' and '/' too
}

function validLocal(local: string): boolean {
  return local.length > 0 && bytes(local) <= MAX_PART_BYTES && !LOCAL_FORBIDDEN.test(local);
}

function validResource(resource: string): boolean {
  return resource.length > 0 && bytes(resource) <= MAX_PART_BYTES && !/[\u0000-\u001f\u007f]/.test(resource);
}

function validDomain(domain: string): boolean {
  if (!domain || bytes(domain) > MAX_PART_BYTES) return false;
  if (IP_LITERAL.test(domain)) return true;
  const d = domain.endsWith(".") ? domain.slice(0, -1) : domain;
  return d.split(".").every((label) => DOMAIN_LABEL.test(label));
}
