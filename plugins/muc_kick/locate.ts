/**
 * Finding the room, as the original did by looking in Prosody's hosts table, but from outside:
 * by disco#info (XEP-0030 §3.1). The sentences are mod_http_muc_kick's, one per case:
 *   no such host          -> "No such host: <host>"
 *   host but not a MUC    -> "Host '<host>' is not a MUC service"
 *   MUC but no such room  -> "No MUC '<room>' found for host: <host>"
 */
import { xml } from "../../src/kit/xml.ts";
import { LruMap } from "../../src/kit/bounded.ts";
import { XmppStanzaError, type Element } from "../../src/plugin-api/index.ts";
import type { Jid } from "./body.ts";

const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
const NS_MUC = "http://jabber.org/protocol/muc";

/** A known MUC service is asked again after this long (services rarely change). */
const SERVICE_TTL_MS = 5 * 60_000;
const MAX_SERVICES = 100;

/**
 * Errors saying the host exists but does not answer disco: RFC 6120 §8.3.3.19 and .3.
 * Any other error (remote-server-not-found, or not-allowed when s2s is off) means no such host.
 */
const HOST_EXISTS = new Set(["service-unavailable", "feature-not-implemented"]);
/** §8.3.3.7 and .5: the room does not exist (any longer). */
const NO_ROOM = new Set(["item-not-found", "gone"]);

export interface LocatorDeps {
  request(iq: Element, timeoutMs?: number): Promise<Element>;
  /** The gateway's occupant real JID: disco is asked from it. */
  from: string;
  component: string;
  timeoutMs: number;
  now?: () => number;
}

/** Resolves undefined when the room exists, else the original's sentence for why not. */
export type Locate = (room: Jid, options: { roomKnown: boolean }) => Promise<string | undefined>;

export function createLocator(deps: LocatorDeps): Locate {
  const now = deps.now ?? Date.now;
  const services = new LruMap<string, number>(MAX_SERVICES);
  return async function locate(room, { roomKnown }) {
    const host = room.domain;
    if ((services.get(host) ?? 0) <= now()) {
      const problem = await checkService(deps, host);
      if (problem) return problem;
      services.set(host, now() + SERVICE_TTL_MS);
    }
    // The original looked the JID up as given, so a resource (or no room name) finds nothing.
    if (!room.local || room.resource) return `No MUC '${room.local.toLowerCase()}' found for host: ${host}`;
    if (roomKnown) return undefined;
    return checkRoom(deps, room);
  };
}

async function checkService(deps: LocatorDeps, host: string): Promise<string | undefined> {
  // Our own domain would route the query back to us: it is certainly no MUC.
  if (host === deps.component.toLowerCase()) return `Host '${host}' is not a MUC service`;
  const info = await discoInfo(deps, host);
  if (info instanceof XmppStanzaError)
    return HOST_EXISTS.has(info.condition) ? `Host '${host}' is not a MUC service` : `No such host: ${host}`;
  return isMucService(info) ? undefined : `Host '${host}' is not a MUC service`;
}

async function checkRoom(deps: LocatorDeps, room: Jid): Promise<string | undefined> {
  const info = await discoInfo(deps, `${room.local}@${room.domain}`);
  if (info instanceof XmppStanzaError && NO_ROOM.has(info.condition))
    return `No MUC '${room.local.toLowerCase()}' found for host: ${room.domain}`;
  // Other refusals (forbidden, say) do not prove the room missing: the join will tell.
  return undefined;
}

/** The disco#info answer, or the error it came back with; timeouts and link failures throw. */
async function discoInfo(deps: LocatorDeps, to: string): Promise<Element | XmppStanzaError> {
  const iq = xml("iq", { type: "get", to, from: deps.from }, xml("query", { xmlns: NS_DISCO_INFO }));
  try {
    return await deps.request(iq, deps.timeoutMs);
  } catch (err) {
    if (err instanceof XmppStanzaError) return err;
    throw err;
  }
}

/** XEP-0045 §6.1: a MUC service has the muc feature (and the conference/text identity). */
function isMucService(info: Element): boolean {
  const query = info.getChild("query", NS_DISCO_INFO);
  const features = query?.getChildren("feature").map((f) => f.attrs.var) ?? [];
  const conference = query?.getChildren("identity").some((i) => i.attrs.category === "conference") ?? false;
  return features.includes(NS_MUC) || conference;
}
