/**
 * IP addresses and CIDR blocks as bytes, for the remote-fetch guard (address-guard.ts). Written
 * here rather than with node:net's BlockList because the guard must look inside IPv6 addresses
 * that carry an IPv4 one (RFC 4291 §2.5.5, RFC 6052, RFC 3056), which BlockList does not do.
 * CIDR text is read as `http.trusted_proxies` reads it, so the config check says the same.
 */
import { parseProxyRange } from "../http/client-address.ts";

/** An address as its bytes: 4 for IPv4, 16 for IPv6. */
export type IpBytes = Uint8Array;

/** A block of addresses: a prefix and how many of its leading bits count. */
export interface Cidr {
  bytes: IpBytes;
  bits: number;
}

/** Dotted-quad IPv4 only (RFC 791): the URL parser has already normalised `0x7f.1` and `2130706433`. */
function parseIpv4(text: string): IpBytes | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return Uint8Array.from(parts, Number);
}

/** The 16-bit groups of one side of `::`, an IPv4 tail counting as two (RFC 4291 §2.2). */
function ipv6Groups(text: string, tailMayBeIpv4: boolean): number[] | undefined {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: number[] = [];
  for (const [i, part] of parts.entries()) {
    const v4 = tailMayBeIpv4 && i === parts.length - 1 && part.includes(".") ? parseIpv4(part) : undefined;
    if (v4) groups.push(...groupsOf(v4));
    else if (/^[0-9a-f]{1,4}$/i.test(part)) groups.push(Number.parseInt(part, 16));
    else return undefined;
  }
  return groups;
}

/** RFC 4291 §2.2 text forms, with `::` and a dotted IPv4 tail; a zone (`%eth0`, RFC 6874) is dropped. */
function parseIpv6(text: string): IpBytes | undefined {
  const halves = text.replace(/%.*$/, "").split("::");
  if (halves.length > 2) return undefined;
  const head = ipv6Groups(halves[0] ?? "", halves.length === 1);
  const tail = halves.length === 2 ? ipv6Groups(halves[1] ?? "", true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
}

/** An IPv4 or IPv6 address (brackets allowed, as in a URL's host), or undefined when it is not one. */
export function parseIp(text: string): IpBytes | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  return bare.includes(":") ? parseIpv6(bare) : parseIpv4(bare);
}

/** A block as `http.trusted_proxies` writes it (`10.0.0.0/8`, `fd00::/8`, one address); throws the check's sentence. */
export function parseCidr(text: string): Cidr {
  const range = parseProxyRange(text);
  if (typeof range === "string") throw new Error(range);
  return { bytes: parseIp(range.address) as IpBytes, bits: range.prefix };
}

/** Whether the address is inside the block; an IPv4 block never holds an IPv6 address, nor the reverse. */
export function inCidr(address: IpBytes, cidr: Cidr): boolean {
  if (address.length !== cidr.bytes.length) return false;
  for (let bit = 0; bit < cidr.bits; bit += 8) {
    const left = Math.min(8, cidr.bits - bit);
    const mask = (0xff << (8 - left)) & 0xff;
    const i = bit / 8;
    if ((((address[i] ?? 0) ^ (cidr.bytes[i] ?? 0)) & mask) !== 0) return false;
  }
  return true;
}

/** The address as text: dotted quad, or RFC 5952 §4 IPv6 (lower case, longest zero run as `::`). */
export function formatIp(address: IpBytes): string {
  if (address.length === 4) return address.join(".");
  const groups = groupsOf(address);
  let best = { at: -1, length: 1 };
  for (let at = 0; at < 8; at++) {
    let length = 0;
    while (at + length < 8 && groups[at + length] === 0) length++;
    if (length > best.length) best = { at, length };
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(":");
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.length).join(":")}`;
}

/** The address as big-endian 16-bit groups (an IPv4 address is two). */
function groupsOf(address: IpBytes): number[] {
  const view = new DataView(address.buffer, address.byteOffset, address.byteLength);
  return Array.from({ length: address.byteLength / 2 }, (_, i) => view.getUint16(2 * i));
}
