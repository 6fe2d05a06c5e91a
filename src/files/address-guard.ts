/**
 * Which addresses the gateway fetches remote files from (issue 21 §5): a URL a sender hands over
 * must not make the gateway reach what only it can reach (server-side request forgery: the
 * loopback admin port, a cloud metadata service at 169.254.169.254, the LAN). Every block below
 * is refused unless `attachments.remote.allow` lists a CIDR that covers the address.
 */
import { type Cidr, formatIp, type IpBytes, inCidr, parseCidr } from "./ip-address.ts";

interface Rule {
  cidr: Cidr;
  /** What the block is, as the refusal says it: "a private address (RFC 1918)". */
  what: string;
}

const rules = (table: readonly (readonly [string, string])[]): readonly Rule[] =>
  table.map(([block, what]) => ({ cidr: parseCidr(block), what }));

/** IANA's special-purpose IPv4 registry (RFC 6890), the blocks a fetch could abuse. Broadcast before 240/4. */
const IPV4 = rules([
  ["0.0.0.0/8", "an unspecified address ('this network', RFC 1122 §3.2.1.3)"],
  ["10.0.0.0/8", "a private address (RFC 1918)"],
  ["100.64.0.0/10", "a carrier-grade NAT address (RFC 6598)"],
  ["127.0.0.0/8", "a loopback address (RFC 1122 §3.2.1.3)"],
  ["169.254.0.0/16", "a link-local address (RFC 3927; cloud metadata services live here)"],
  ["172.16.0.0/12", "a private address (RFC 1918)"],
  ["192.168.0.0/16", "a private address (RFC 1918)"],
  ["224.0.0.0/4", "a multicast address (RFC 5771)"],
  ["255.255.255.255/32", "the broadcast address (RFC 919)"],
  ["240.0.0.0/4", "a reserved address (RFC 1112 §4)"],
]);

/** IPv6 blocks refused whatever they hold (RFC 4291 §2.4, RFC 4193, RFC 8215). */
const IPV6 = rules([
  ["::/128", "the unspecified address (RFC 4291 §2.5.2)"],
  ["::1/128", "the loopback address (RFC 4291 §2.5.3)"],
  ["fe80::/10", "a link-local address (RFC 4291 §2.5.6)"],
  ["fec0::/10", "a site-local address (RFC 3879)"],
  ["fc00::/7", "a unique local address (RFC 4193)"],
  ["ff00::/8", "a multicast address (RFC 4291 §2.7)"],
  ["64:ff9b:1::/48", "a local-use NAT64 address (RFC 8215)"],
]);

/** IPv6 blocks that carry an IPv4 address: reaching them reaches it, so it is judged as IPv4. */
const CARRIERS: readonly { cidr: Cidr; at: number; what: string }[] = [
  { cidr: parseCidr("::ffff:0:0/96"), at: 12, what: "an IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2)" },
  { cidr: parseCidr("::/96"), at: 12, what: "an IPv4-compatible IPv6 address (RFC 4291 §2.5.5.1)" },
  { cidr: parseCidr("64:ff9b::/96"), at: 12, what: "a NAT64 address (RFC 6052 §2.1)" },
  { cidr: parseCidr("2002::/16"), at: 2, what: "a 6to4 address (RFC 3056 §2)" },
];

/** The IPv4 address inside an IPv6 one that carries it, with what carries it. */
function carried(address: IpBytes): { v4: IpBytes; what: string } | undefined {
  if (address.length !== 16) return undefined;
  const carrier = CARRIERS.find((c) => inCidr(address, c.cidr));
  return carrier && { v4: address.slice(carrier.at, carrier.at + 4), what: carrier.what };
}

/** Why the gateway does not fetch from this address, ignoring `allow`; undefined when it may. */
function blockedBecause(address: IpBytes): string | undefined {
  const table = address.length === 4 ? IPV4 : IPV6;
  const rule = table.find((r) => inCidr(address, r.cidr));
  if (rule) return rule.what;
  const inner = carried(address);
  const innerRule = inner && IPV4.find((r) => inCidr(inner.v4, r.cidr));
  return innerRule && inner && `${inner.what} carrying ${formatIp(inner.v4)}, ${innerRule.what}`;
}

/**
 * Judges resolved addresses for remote fetches. `allow` is `attachments.remote.allow`: CIDRs
 * the operator opened on purpose (an intranet camera at 192.168.1.20/32); an IPv4 block there also
 * covers the IPv6 forms that carry its addresses.
 */
export class AddressGuard {
  readonly #allow: readonly Cidr[];

  /** Throws on an entry that is no CIDR: the config check has reported it (parseProxyRange). */
  constructor(allow: readonly string[]) {
    this.#allow = allow.map(parseCidr);
  }

  /** What the address is when the gateway refuses it ("a loopback address (RFC 1122 §3.2.1.3)"), or undefined. */
  refusal(address: IpBytes): string | undefined {
    const because = blockedBecause(address);
    return because === undefined || this.#allowed(address) ? undefined : because;
  }

  #allowed(address: IpBytes): boolean {
    const inner = carried(address)?.v4;
    return this.#allow.some((cidr) => inCidr(address, cidr) || (inner !== undefined && inCidr(inner, cidr)));
  }
}
