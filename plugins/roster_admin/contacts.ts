/**
 * The web app side: GET the contacts of one user and turn the answer into roster items.
 *
 * The answer is a JSON object `{ "<contact jid>": { "name": "...", "groups": [...] } }`, as
 * mod_http_roster_admin's README describes. `groups` may also be an object whose keys are the
 * group names (Prosody's own set shape, the only one the original rendered correctly).
 */
import { parseJid, type Logger } from "../../src/plugin-api.ts";
import { SyncError } from "./sync-error.ts";

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
    throw new SyncError(`web app unreachable: ${(err as Error).message}`, { url });
  }
  // The original accepted 200 only (any other code was an error), so a 204 is not "no contacts".
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new SyncError(`web app answered HTTP ${response.status}`, { url, http_status: response.status });
  }
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    throw new SyncError("web app answered a body that is not JSON", { url });
  }
  return parseContacts(body, owner, deps.log);
}

/** The web app's object as roster items; entries that cannot be roster items are skipped with a warning. */
export function parseContacts(body: unknown, owner: string, log: Logger): Contacts {
  if (!isRecord(body)) throw new SyncError("web app answered JSON that is not an object of contacts");
  const contacts: Contacts = new Map();
  for (const [key, value] of Object.entries(body)) {
    const jid = normaliseBareJid(key);
    if (jid === undefined) log.warn("web app listed a contact that is not a bare JID; skipped", { user: owner, contact: key });
    else if (jid !== owner) contacts.set(jid, toContact(value));
  }
  return contacts;
}

function toContact(value: unknown): Contact {
  const friend = isRecord(value) ? value : {};
  // Prosody stores an empty name as no name (mod_privilege: `if r_item.name == "" then nil`).
  const name = typeof friend.name === "string" && friend.name !== "" ? friend.name : undefined;
  return { name, groups: groupNames(friend.groups) };
}

function groupNames(groups: unknown): string[] {
  const names = Array.isArray(groups)
    ? groups.filter((g): g is string => typeof g === "string")
    : isRecord(groups)
      ? Object.keys(groups).filter((g) => Boolean(groups[g]))
      : [];
  return [...new Set(names.filter((g) => g !== ""))].sort();
}

/**
 * RFC 7622 §3.2/§3.3 as far as this gateway can without a full PRECIS implementation: NFKC and
 * lower case for the localpart and the domain, so "Marie@Example.com" and the roster's
 * "marie@example.com" are one contact. Full JIDs are refused: mod_privilege answers bad-request for them.
 */
export function normaliseBareJid(input: string): string | undefined {
  const jid = parseJid(input.normalize("NFKC"));
  if (!jid || jid.resource !== "") return undefined;
  const local = jid.local.toLowerCase();
  return local ? `${local}@${jid.domain}` : jid.domain;
}

/** Same contacts, names and groups: the canonical text of `contacts`, for snapshot comparison. */
export function canonical(contacts: Contacts): string {
  const entries = [...contacts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries.map(([jid, c]) => [jid, c.name ?? null, c.groups]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
