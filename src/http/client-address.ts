/**
 * The client address of a request, computed here and nowhere else: the auth throttle, the
 * request log and plugins all see this one. It is the TCP peer, unless the peer is one of
 * `http.trusted_proxies`: then it comes from the forwarding header those proxies append to
 * (`http.client_address_header`), read from the right, the nearest hop first, skipping hops that
 * are trusted proxies themselves. Hops to the left of the first untrusted one are whatever the
 * client sent and are never believed. A header from a peer that is not trusted is ignored.
 *
 * - X-Forwarded-For: `client, proxy1, proxy2` (de facto; nginx's $proxy_add_x_forwarded_for).
 * - Forwarded (RFC 7239 §4): `for=192.0.2.60;proto=https, for="[2001:db8::17]:4711"`; a node
 *   that is `unknown` or obfuscated (`_hidden`, §6.3) is not an address.
 *
 * A hop that is not an address (garbage, `unknown`) ends the walk: the client address is then the
 * trusted proxy that forwarded it, so no header can make up a new address for each request.
 */
import { BlockList, isIP } from "node:net";

export type ClientAddressHeader = "X-Forwarded-For" | "Forwarded";

export interface ClientAddressSettings {
  trusted_proxies: readonly string[];
  client_address_header: ClientAddressHeader;
}

/** An entry of http.trusted_proxies: an address, or a CIDR range `address/prefix`. */
export interface ProxyRange {
  address: string;
  prefix: number;
  family: "ipv4" | "ipv6";
}

const MAX_PREFIX = { ipv4: 32, ipv6: 128 } as const;

/** The range an entry names, or a sentence saying why it names none (config check). */
export function parseProxyRange(entry: string): ProxyRange | string {
  const [address = "", prefixText, ...rest] = entry.trim().split("/");
  const version = isIP(address);
  if (version === 0 || rest.length) {
    return `${JSON.stringify(entry)} is not an IP address or a CIDR range such as 10.0.0.0/8 or fd00::/8 (names are not resolved: write 127.0.0.1 or ::1 for this machine)`;
  }
  const family = version === 4 ? "ipv4" : "ipv6";
  if (prefixText === undefined) return { address, prefix: MAX_PREFIX[family], family };
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix <= MAX_PREFIX[family]))
    return `the prefix of ${JSON.stringify(entry)} must be 0-${MAX_PREFIX[family]} for an ${family === "ipv4" ? "IPv4" : "IPv6"} range`;
  return { address, prefix, family };
}

/** Whether an address is one of the trusted proxies (IPv4-mapped IPv6 addresses match IPv4 ranges). */
export function trustedProxies(entries: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const range = parseProxyRange(entry);
    if (typeof range !== "string") list.addSubnet(range.address, range.prefix, range.family);
  }
  return (address) => {
    const version = isIP(address);
    if (entries.length === 0 || version === 0) return false;
    try {
      return list.check(address, version === 4 ? "ipv4" : "ipv6");
    } catch {
      return false; // a zone id (fe80::1%eth0) BlockList does not take
    }
  };
}

/** The client address of a request from `peer`, as http.trusted_proxies and the header say (front-door.ts asks once). */
export function clientAddresses(settings: ClientAddressSettings): (peer: string, headers: Headers) => string {
  const trusted = trustedProxies(settings.trusted_proxies);
  return (peer, headers) => clientAddress(peer, headers, trusted, settings.client_address_header);
}

export function clientAddress(peer: string, headers: Headers, trusted: (address: string) => boolean, header: ClientAddressHeader): string {
  if (!trusted(peer)) return peer;
  const value = headers.get(header);
  const hops = value === null ? [] : header === "Forwarded" ? forwardedFor(value) : value.split(",").map(hopAddress);
  let nearest = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    if (hop === undefined) return nearest;
    if (!trusted(hop)) return hop;
    nearest = hop;
  }
  return nearest;
}

/** `1.2.3.4`, `1.2.3.4:80`, `[::1]:80`, `::1` -> the address; undefined when it is none. */
function hopAddress(text: string): string | undefined {
  const hop = text.trim();
  const bare = /^\[([^\]]+)\](?::\d+)?$/.exec(hop)?.[1] ?? /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(hop)?.[1] ?? hop;
  return isIP(bare) ? bare.toLowerCase() : undefined;
}

/** The `for=` node of each element of a Forwarded value (RFC 7239 §4), undefined where it is no address. */
function forwardedFor(value: string): Array<string | undefined> {
  return splitOutsideQuotes(value, ",").map((element) => {
    for (const pair of splitOutsideQuotes(element, ";")) {
      const eq = pair.indexOf("=");
      if (pair.slice(0, eq).trim().toLowerCase() !== "for") continue;
      return hopAddress(unquote(pair.slice(eq + 1).trim()));
    }
    return undefined;
  });
}

/** RFC 7230 §3.2.6 quoted-string: `"..."` with `\` escapes. */
function unquote(text: string): string {
  return text.startsWith('"') && text.endsWith('"') && text.length >= 2 ? text.slice(1, -1).replace(/\\(.)/g, "$1") : text;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === separator && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
