/**
 * The XMPP side of the topics of a ntfy route that serves the subscribe API (without it, nobody
 * would read what people write): each topic under `topics:`, and each under `from_xmpp:`, gets an
 * address people write to (`<topic>@<component>` unless `jid:` says another) and the list of who
 * may (`allow:`, by default the topic's own JIDs). Once the whole file is checked, a
 * topic whose address a bot or a component_http route claims is left without one: the explicit
 * address wins, and `check` warns of the topic it shadows rather than refusing the file.
 */
import type { PathSegments } from "../../config/diagnostics.ts";
import type { RouteChecks } from "../../feature-api.ts";
import type { RouteRoomEntries } from "../../config/route-recipients.ts";
import { parseJid } from "../../kit/jid.ts";
import { routeLabel } from "../../config/route-checks.ts";
import { DISALLOWED, NAME } from "./publish.ts";
import { RECIPIENTS, type TopicAddress, type TopicRoom } from "./writers-schema.ts";

/** How plugin-routes/check.ts names the claim of a component_http route without local_parts. */
const CATCH_ALL = "every JID of the component (no local_parts)";

interface Listed {
  topics: Readonly<Record<string, readonly string[]>>;
  to: readonly string[] | undefined;
  rooms: RouteRoomEntries;
  /** The route serves the subscribe API. */
  subscribing: boolean;
}

/** The XMPP side of the route's topics: their addresses and rooms, by topic. */
export interface Writers {
  /** The later review deletes the shadowed ones from it. */
  addresses: Record<string, TopicAddress>;
  rooms: Record<string, TopicRoom>;
}

export function checkWriters(raw: unknown, listed: Listed, at: PathSegments, c: RouteChecks): Writers | undefined {
  const settings = raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const component = c.xmpp?.component.toLowerCase();
  const writers: Writers = { addresses: {}, rooms: {} };
  if (component === undefined) return writers;
  // What people write is read through the subscribe API: without it, nobody would, and the route stays as it was.
  if (!listed.subscribing) {
    if (raw !== undefined)
      return fail(
        c,
        [...at, "from_xmpp"],
        "from_xmpp: needs subscribe: (what people write to a topic is read through the subscribe API)",
        true,
      );
    return writers;
  }
  let ok = true;
  for (const topic of new Set([...Object.keys(listed.topics), ...Object.keys(settings)])) {
    const one = settings[topic] !== null && typeof settings[topic] === "object" ? (settings[topic] as Record<string, unknown>) : {};
    const where = [...at, "from_xmpp", topic];
    const address = addressOf(topic, one, listed, component, where, c);
    if (address) writers.addresses[topic] = address;
    else if (address === undefined) ok = false;
    const room = typeof one.room === "string" ? roomOf(one.room, [...where, "room"], c) : undefined;
    if (room && address) writers.rooms[topic] = { room, allow: address.allow };
    else if (room === null) ok = false;
  }
  const place = (topic: string) => [...at, listed.topics[topic] ? "topics" : "from_xmpp", topic];
  c.afterRoutes(() => shadowed(writers.addresses, place, at, c));
  return ok ? writers : undefined;
}

/** A room's bare JID, lower-cased; null after saying it is not one. */
function roomOf(written: string, at: PathSegments, c: RouteChecks): string | null {
  const jid = parseJid(written);
  if (jid?.resource !== "" || jid.local === "") {
    c.diagnostics.push(c.locate.at(at, `expected a room's bare JID (room@conference.example.org), found ${JSON.stringify(written)}`));
    return null;
  }
  return `${jid.local.toLowerCase()}@${jid.domain}`;
}

/** The topic's address; false when `jid: false` gives it none, undefined after saying what is wrong. */
function addressOf(
  topic: string,
  one: Record<string, unknown>,
  listed: Listed,
  component: string,
  at: PathSegments,
  c: RouteChecks,
): TopicAddress | false | undefined {
  const recipients = listed.topics[topic] ?? listed.to;
  if (!NAME.test(topic) || DISALLOWED.has(topic))
    return fail(c, at, `topic ${JSON.stringify(topic)} is not a ntfy topic this route can serve`, true);
  if (!recipients) return fail(c, at, `topic ${topic} is not under topics:, and the route has no to: to give it recipients`, true);
  if (one.jid === false) return false;
  const own = recipients.filter((r) => listed.rooms[r.toLowerCase()] === undefined);
  const allow = Array.isArray(one.allow) ? allowOf(one.allow, own, [...at, "allow"], c) : own.map((r) => r.toLowerCase());
  const written = typeof one.jid === "string" ? one.jid : `${topic}@${component}`;
  const jid = parseJid(written);
  if (jid?.resource !== "" || jid.local === "" || jid.domain !== component)
    return fail(c, [...at, "jid"], `expected a bare JID on the component's domain (name@${component}), found ${JSON.stringify(written)}`);
  if (!allow) return undefined;
  const local = jid.local.toLowerCase();
  return { jid: `${local}@${component}`, local, allow };
}

/** `allow:` as the handler matches it: `recipients` replaced by the topic's JIDs. */
function allowOf(list: readonly unknown[], own: readonly string[], at: PathSegments, c: RouteChecks): string[] | undefined {
  const allow: string[] = [];
  for (const [i, entry] of list.entries()) {
    if (typeof entry !== "string") return undefined;
    if (entry === RECIPIENTS || entry === "*") allow.push(...(entry === "*" ? ["*"] : own.map((r) => r.toLowerCase())));
    else {
      const wildcard = entry.startsWith("*@");
      const jid = parseJid(wildcard ? entry.slice(2) : entry);
      if (jid?.resource !== "" || (wildcard && jid.local !== ""))
        return fail(c, [...at, i], `expected a bare JID, *@domain, * or ${RECIPIENTS}, found ${JSON.stringify(entry)}`);
      allow.push(entry.toLowerCase());
    }
  }
  return allow;
}

/**
 * Against the whole file (bots included): an address a bot or a component_http route claims is
 * theirs (xmpp/router.ts rows 3 and 4 come first anyway); two topics of one address, the first's.
 */
function shadowed(addresses: Record<string, TopicAddress>, place: (topic: string) => PathSegments, at: PathSegments, c: RouteChecks): void {
  for (const [topic, { jid, local }] of Object.entries(addresses)) {
    const owner = c.claimed.get(`local part "${local}"`) ?? c.claimed.get(`address ${jid}`);
    const other = c.claimed.get(`ntfy topic ${jid}`);
    const where = c.locate.at(place(topic), "", { key: true });
    const first = owner ?? other;
    if (!first) {
      c.claimed.set(`ntfy topic ${jid}`, { route: `${topic} of ${routeLabel(at)}`, line: where.line, col: where.col });
      continue;
    }
    delete addresses[topic];
    const who = owner
      ? `${first.route} (line ${first.line}, col ${first.col}), which wins`
      : `topic ${first.route} (line ${first.line}, col ${first.col}) first`;
    c.warnings.push({
      ...where,
      message: `topic ${topic} takes no XMPP messages: its address ${jid} is ${who}; give it another (from_xmpp: { ${topic}: { jid: … } })`,
      severity: "warning",
    });
  }
  const catchAll = c.claimed.get(CATCH_ALL);
  const taken = Object.values(addresses).map((a) => a.jid);
  if (catchAll && taken.length)
    c.warnings.push({
      ...c.locate.at(place(Object.keys(addresses)[0] ?? ""), "", { key: true }),
      message: `the stanzas to ${taken.join(", ")} go to these topics, not to ${catchAll.route} (line ${catchAll.line}, col ${catchAll.col}), which takes every other JID of the component; from_xmpp: { <topic>: { jid: false } } leaves a topic without an address`,
      severity: "warning",
    });
}

function fail(c: RouteChecks, at: PathSegments, message: string, key = false): undefined {
  c.diagnostics.push(c.locate.at(at, message, key ? { key: true } : {}));
  return undefined;
}
