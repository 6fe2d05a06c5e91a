// The client address behind reverse proxies: the forwarding header is believed only from a trusted
// peer, read from the right, and no client can pick its own address by sending a header.
import { describe, expect, test } from "bun:test";
import { clientAddress, parseProxyRange, trustedProxies, type ClientAddressHeader } from "../../src/http/client-address.ts";

const PROXIES = trustedProxies(["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);
const address = (peer: string, value: string | undefined, header: ClientAddressHeader = "X-Forwarded-For") =>
  clientAddress(peer, new Headers(value === undefined ? {} : { [header]: value }), PROXIES, header);

describe("X-Forwarded-For", () => {
  test("from a peer that is not a trusted proxy, the header is ignored: the peer is the client", () => {
    expect(address("198.51.100.7", "203.0.113.5")).toBe("198.51.100.7");
  });

  test("from a trusted proxy, the hop it appended is the client", () => {
    expect(address("127.0.0.1", "203.0.113.5")).toBe("203.0.113.5");
  });

  test("hops the client wrote itself, left of the right-most untrusted hop, are never believed", () => {
    expect(address("127.0.0.1", "1.1.1.1, 203.0.113.5")).toBe("203.0.113.5");
    expect(address("127.0.0.1", "10.0.0.9, 203.0.113.5")).toBe("203.0.113.5");
  });

  test("trusted proxies along the way are skipped; when every hop is trusted, the left-most is the client", () => {
    expect(address("127.0.0.1", "203.0.113.5, 10.1.2.3, 10.9.9.9")).toBe("203.0.113.5");
    expect(address("127.0.0.1", "10.1.2.3, 10.9.9.9")).toBe("10.1.2.3");
  });

  test("ports and brackets are dropped: 203.0.113.5:4711 and [2001:db8::17]:80", () => {
    expect(address("127.0.0.1", "203.0.113.5:4711")).toBe("203.0.113.5");
    expect(address("127.0.0.1", "[2001:DB8::17]:80")).toBe("2001:db8::17");
  });

  test("a hop that is not an address ends the walk at the trusted proxy that forwarded it", () => {
    expect(address("127.0.0.1", "203.0.113.5, not-an-address")).toBe("127.0.0.1");
    expect(address("127.0.0.1", "not-an-address, 10.0.0.3")).toBe("10.0.0.3");
    expect(address("127.0.0.1", "")).toBe("127.0.0.1");
  });

  test("no header from a trusted proxy: the proxy is the client", () => {
    expect(address("127.0.0.1", undefined)).toBe("127.0.0.1");
  });

  test("an IPv4-mapped IPv6 peer (a dual-stack listener) matches an IPv4 range", () => {
    expect(address("::ffff:10.1.2.3", "203.0.113.5")).toBe("203.0.113.5");
  });

  test('in-process requests (peer "local") never read the header', () => {
    expect(address("local", "203.0.113.5")).toBe("local");
  });
});

describe("Forwarded (RFC 7239)", () => {
  test("the for= node of the right-most untrusted element, quoted IPv6 with a port included", () => {
    expect(address("127.0.0.1", 'for=1.1.1.1, for="[2001:db8:cafe::17]:4711";proto=https', "Forwarded")).toBe("2001:db8:cafe::17");
    expect(address("127.0.0.1", "for=192.0.2.60;proto=http;by=203.0.113.43", "Forwarded")).toBe("192.0.2.60");
    expect(address("127.0.0.1", 'For="198.51.100.17";proto="a,b", for=10.0.0.2', "Forwarded")).toBe("198.51.100.17");
  });

  test("unknown and obfuscated nodes (§6.3) are not addresses: the forwarding proxy is the client", () => {
    expect(address("127.0.0.1", "for=unknown", "Forwarded")).toBe("127.0.0.1");
    expect(address("127.0.0.1", "for=_hidden, for=10.0.0.2", "Forwarded")).toBe("10.0.0.2");
  });

  test("only the header named by client_address_header is read", () => {
    const headers = new Headers({ forwarded: "for=1.1.1.1", "x-forwarded-for": "203.0.113.5" });
    expect(clientAddress("127.0.0.1", headers, PROXIES, "X-Forwarded-For")).toBe("203.0.113.5");
    expect(clientAddress("127.0.0.1", headers, PROXIES, "Forwarded")).toBe("1.1.1.1");
  });
});

describe("http.trusted_proxies entries", () => {
  test.each(["127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8", "0.0.0.0/0", "2001:db8::/128"])("%s is an address or a range", (entry) => {
    expect(typeof parseProxyRange(entry)).toBe("object");
  });

  test("a name, a prefix out of range or a stray slash says why in a sentence", () => {
    expect(parseProxyRange("localhost")).toBe(
      '"localhost" is not an IP address or a CIDR range such as 10.0.0.0/8 or fd00::/8 (names are not resolved: write 127.0.0.1 or ::1 for this machine)',
    );
    expect(parseProxyRange("10.0.0.0/33")).toBe('the prefix of "10.0.0.0/33" must be 0-32 for an IPv4 range');
    expect(parseProxyRange("fd00::/129")).toBe('the prefix of "fd00::/129" must be 0-128 for an IPv6 range');
    expect(parseProxyRange("10.0.0.0/8/8")).toContain("is not an IP address or a CIDR range");
    expect(parseProxyRange("10.0.0.0/")).toBe('the prefix of "10.0.0.0/" must be 0-32 for an IPv4 range');
  });
});
