/**
 * The web app side: GET the contacts of one user and turn the answer into roster items.
 *
 * The answer is a JSON object `{ "<contact jid>": { "name": "...", "groups": [...] } }`, as
 * mod_http_roster_admin's README describes. `groups` may also be an object whose keys are the
 * group names (Prosody's own set shape, the only one the original rendered correctly).
 */
import { isRecord, readBoundedText } from "../../src/kit/bounded.ts";
import { isXmlText } from "../../src/kit/xml-text.ts";
import { parseJid } from "../../src/kit/jid.ts";
import type { Logger } from "../../src/plugin-api/index.ts";
import { ROSTER_ADMIN_ERRORS, SyncError } from "./sync-error.ts";

/** One contact as the roster should hold it: groups deduplicated and sorted, so equal means equal. */
export interface Contact {
  name: string | undefined;
  groups: string[];
}

/** Contact bare JID (normalised) -> contact. */
export type Contacts = Map<string, Contact>;

/** The Accept header the original module sent, kept so a web app negotiating on it sees no change. */
const ACCEPT = "application/json, text/plain, */*";

export interface FetchContactsDeps {
  fetch: typeof fetch;
  /** `roster_url`; every `%s` becomes the URL-encoded username. */
  urlTemplate: string;
  timeoutMs: number;
  /** Larger answers are refused (`max_answer_bytes`). */
  maxBytes: number;
  log: Logger;
}

export function contactsUrl(template: string, username: string): string {
  return template.replaceAll("%s", encodeURIComponent(username));
}

/** Fetches and parses; a web app that fails in any way is a SyncError saying how. */
export async function fetchContacts(username: string, owner: string, deps: FetchContactsDeps): Promise<Contacts> {
  const url = contactsUrl(deps.urlTemplate, username);
  let response: Response;
  try {
    response = await deps.fetch(url, { headers: { accept: ACCEPT }, signal: AbortSignal.timeout(deps.timeoutMs) });
  } catch (err) {
    throw new SyncError(ROSTER_ADMIN_ERRORS.WEB_APP_FAILED, `web app unreachable: ${(err as Error).message}`, { url });
  }
  // The original accepted 200 only (any other code was an error), so a 204 is not "no contacts".
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new SyncError(ROSTER_ADMIN_ERRORS.WEB_APP_FAILED, `web app answered HTTP ${response.status}`, {
      url,
      http_status: response.status,
    });
  }
  return parseContacts(parseJson(await readAnswer(response, url, deps.maxBytes), url), owner, deps.log);
}

async function readAnswer(response: Response, url: string, maxBytes: number): Promise<string> {
  let text: string | undefined;
  try {
    text = await readBoundedText(response, maxBytes);
  } catch (err) {
    throw new SyncError(ROSTER_ADMIN_ERRORS.WEB_APP_FAILED, `web app answer could not be read: ${(err as Error).message}`, { url });
  }
  if (text === undefined)
    throw new SyncError(ROSTER_ADMIN_ERRORS.WEB_APP_FAILED, `web app answered more than ${maxBytes} bytes (max_answer_bytes)`, {
      url,
      max_bytes: maxBytes,
    });
  return text;
}

function parseJson(text: string, url: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SyncError(ROSTER_ADMIN_ERRORS.WEB_APP_FAILED, "web app answered a body that is not JSON", { url });
  }
}

/** The web app's object as roster items; entries that cannot be roster items are skipped with a warning. */
export function parseContacts(body: unknown, owner: string, log: Logger): Contacts {
  if (!isRecord(body)) throw new SyncError(ROSTER_ADMIN_ERRORS.WEB_APP_FAILED, "web app answered JSON that is not an object of contacts");
  const contacts: Contacts = new Map();
  for (const [key, value] of Object.entries(body)) {
    const jid = normaliseBareJid(key);
    if (jid === undefined) log.warn("web app listed a contact that is not a bare JID; skipped", { user: owner, contact: key });
    else if (jid !== owner) contacts.set(jid, toContact(value, xmlTextCleaner(log, owner, jid)));
  }
  return contacts;
}

type Clean = (text: string, field: string) => string;

function toContact(value: unknown, clean: Clean): Contact {
  const friend = isRecord(value) ? value : {};
  // Prosody stores an empty name as no name (mod_privilege: `if r_item.name == "" then nil`).
  const name = typeof friend.name === "string" ? clean(friend.name, "name") : "";
  const groups = groupNames(friend.groups).map((g) => clean(g, "groups"));
  return { name: name === "" ? undefined : name, groups: [...new Set(groups.filter((g) => g !== ""))].sort() };
}

function groupNames(groups: unknown): string[] {
  if (Array.isArray(groups)) return groups.filter((g): g is string => typeof g === "string");
  return isRecord(groups) ? Object.keys(groups).filter((g) => Boolean(groups[g])) : [];
}

/**
 * XML 1.0 §2.2: a name or group holding a character XML cannot carry (NUL, most C0 controls, a
 * lone surrogate) would make the roster set not well-formed, and the server would close the whole
 * component stream (RFC 6120 §4.9.3.13). Those characters are dropped, with a warning naming the
 * contact, so the web app's owner can fix the data.
 */
function xmlTextCleaner(log: Logger, owner: string, contact: string): Clean {
  return (text, field) => {
    if (isXmlText(text)) return text;
    log.warn("web app sent characters XML cannot carry in a contact; dropped them", { user: owner, contact, field });
    return [...text].filter((ch) => isXmlText(ch)).join("");
  };
}

/**
 * RFC 7622 §3.2/§3.3 as far as this gateway can without a full PRECIS implementation: NFKC and
 * lower case for the localpart and the domain, so "Marie@Example.com" and the roster's
 * "marie@example.com" are one contact. Full JIDs are refused: mod_privilege answers bad-request for them,
 * and so is text XML cannot carry (a lone surrogate passes the JID checks but not the server's parser).
 */
export function normaliseBareJid(input: string): string | undefined {
  if (!isXmlText(input)) return undefined;
  const jid = parseJid(input.normalize("NFKC"));
  if (jid?.resource !== "") return undefined;
  const local = jid.local.toLowerCase();
  return local ? `${local}@${jid.domain}` : jid.domain;
}

/** Same contacts, names and groups: the canonical text of `contacts`, for snapshot comparison. */
export function canonical(contacts: Contacts): string {
  const entries = [...contacts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries.map(([jid, c]) => [jid, c.name ?? null, c.groups]));
}
