/**
 * XEP-0356 (Privileged Entity). The server tells a component what it may do in a
 * <message><privilege/></message> right after the handshake (§4 "Advertise permissions"): one
 * <perm access="roster|message|presence" type="..."/> per granted access.
 *
 * Two namespaces are in use: urn:xmpp:privilege:1 (XEP-0356 0.2, ejabberd up to 24.07) and
 * urn:xmpp:privilege:2 (0.3 and later: Prosody's mod_privilege, ejabberd 24.10+). Both carry the
 * same <perm/> elements; a privileged message (§5.2) must be wrapped in the namespace the server
 * advertised, as each server accepts only its own.
 */
import type { Element } from "ltx";
import type { Logger } from "../log.ts";
import { NO_PRIVILEGES, NS_PRIVILEGE_1, NS_PRIVILEGE_2, isPrivilegeNamespace } from "../kit/privileges.ts";
import type { Privileges } from "../plugin-api/privileges.ts";

/**
 * The namespace of a <message><privilege xmlns="urn:xmpp:privilege:N"/></message> whose version
 * this code does not know, so the caller can say so instead of silently ignoring the server.
 */
export function unknownPrivilegeNamespace(stanza: Element): string | undefined {
  if (stanza.name !== "message") return undefined;
  const ns = stanza.getChildElements().find((c) => c.name === "privilege")?.attrs.xmlns as string | undefined;
  return ns?.startsWith("urn:xmpp:privilege:") && !isPrivilegeNamespace(ns) ? ns : undefined;
}

/** The advertisement in `stanza` (either namespace), or undefined when it is something else. */
export function readAdvertisement(stanza: Element): Privileges | undefined {
  if (stanza.name !== "message") return undefined;
  const namespace = ([NS_PRIVILEGE_2, NS_PRIVILEGE_1] as const).find((ns) => stanza.getChild("privilege", ns) !== undefined);
  const privilege = namespace === undefined ? undefined : stanza.getChild("privilege", namespace);
  if (!privilege || namespace === undefined) return undefined;
  const granted: Record<string, string> = {};
  for (const perm of privilege.getChildren("perm")) {
    const { access, type } = perm.attrs;
    if (access && type) granted[access] = type;
  }
  return {
    roster: pick(granted.roster, ["get", "set", "both"], "none"),
    message: pick(granted.message, ["outgoing"], "none"),
    presence: pick(granted.presence, ["managed_entity", "roster"], "none"),
    namespace,
  };
}

function pick<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/** The hosts the server serves, as far as the configuration says (xmpp.host, xmpp.hosts). */
export interface ServedHosts {
  host: string;
  hosts?: readonly string[];
}

/**
 * Whether `domain` may advertise grants. Only the server sends advertisements (§4: the server
 * sends them once the privileged entity's stream is up), each from one of its virtual hosts; but
 * a bare-domain `from` is all a remote server needs to forge one through s2s (its own domain is
 * all it can claim, and all it must not be believed about). So: xmpp.host, then xmpp.hosts when
 * the configuration lists the others, else the subdomains of xmpp.host (whose DNS its owner runs).
 */
export function mayAdvertise(domain: string, served: ServedHosts): boolean {
  const from = domain.toLowerCase();
  const host = served.host.toLowerCase();
  if (from === host) return true;
  if (served.hosts !== undefined) return served.hosts.some((h) => h.toLowerCase() === from);
  return from.endsWith(`.${host}`);
}

/** Refused senders named at warn once each; past this many, a flood of domains is logged at debug. */
const MAX_REFUSED_LOGGED = 256;

/**
 * The grants of one connection, by user domain: each virtual host of the server that privileges
 * the component advertises its own grants from its own address (§4), so the hosts served are
 * learnt from them, among those the configuration allows (mayAdvertise). Advertisements in a
 * version this code does not speak are said once per namespace and grant nothing.
 */
export class Grants {
  private byHost = new Map<string, Privileges>();
  private readonly unknownNamespaces = new Set<string>();
  private readonly refused = new Set<string>();

  /** `served` is read at each advertisement: xmpp.host (whose grants plugins check) and xmpp.hosts may change on reload. */
  constructor(
    private readonly served: () => ServedHosts,
    private readonly log: Logger,
  ) {}

  private defaultHost(): string {
    return this.served().host;
  }

  /** A new connection: nothing is known until the server advertises again. */
  reset(): void {
    this.byHost = new Map();
  }

  of(host: string = this.defaultHost()): Privileges {
    return this.byHost.get(host.toLowerCase()) ?? NO_PRIVILEGES;
  }

  /** Every host's grants, xmpp.host first (for /health). */
  all(): Record<string, Privileges> {
    const main = this.defaultHost().toLowerCase();
    const hosts = [...this.byHost.keys()].sort((a, b) => Number(b === main) - Number(a === main) || a.localeCompare(b));
    return Object.fromEntries(hosts.map((h) => [h, this.byHost.get(h) as Privileges]));
  }

  /**
   * Takes `stanza` if it is an advertisement: "default" when xmpp.host advertised, "other" for
   * another host, "ignored" for an unknown version, "refused" from a domain that may not
   * advertise; undefined when it is any other stanza.
   */
  read(stanza: Element): "default" | "other" | "ignored" | "refused" | undefined {
    const from = stanza.attrs.from ?? "";
    if (!isDomain(from)) return undefined;
    const advertised = readAdvertisement(stanza);
    const ns = advertised ? undefined : unknownPrivilegeNamespace(stanza);
    if (!advertised && ns === undefined) return undefined;
    if (!mayAdvertise(from, this.served())) return this.refuse(from);
    if (advertised) {
      this.byHost.set(from.toLowerCase(), advertised);
      this.log.info("XEP-0356 privileges granted", { host: from, ...advertised });
      return from.toLowerCase() === this.defaultHost().toLowerCase() ? "default" : "other";
    }
    if (ns !== undefined && !this.unknownNamespaces.has(ns)) {
      this.unknownNamespaces.add(ns);
      this.log.warn("XEP-0356 advertisement in an unknown namespace: no privileges assumed", {
        host: from,
        namespace: ns,
        known: [NS_PRIVILEGE_1, NS_PRIVILEGE_2],
      });
    }
    return "ignored";
  }

  /**
   * Dropped without an answer: XEP-0356 defines no error for an advertisement, and a forged one
   * deserves no reply (RFC 6120 §8.3.1 lets an entity not answer a message it will not process).
   */
  private refuse(from: string): "refused" {
    const domain = from.toLowerCase();
    const first = !this.refused.has(domain) && this.refused.size < MAX_REFUSED_LOGGED;
    if (first) this.refused.add(domain);
    const { host, hosts } = this.served();
    this.log[first ? "warn" : "debug"]("XEP-0356 advertisement refused: not from a host of the server (xmpp.host, xmpp.hosts)", {
      from,
      host,
      ...(hosts ? { hosts } : {}),
    });
    return "refused";
  }
}

/** A bare domain JID (a server's virtual host), as XEP-0356 advertisements come from. */
function isDomain(jid: string): boolean {
  return jid !== "" && !jid.includes("@") && !jid.includes("/");
}
