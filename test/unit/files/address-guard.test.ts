// The remote-fetch guard (issue 21 §5): which addresses a fetch may reach. Every special-purpose
// block is refused with a sentence naming it; `allow` opens a block on purpose, and an IPv4 block
// there also covers the IPv6 forms that carry its addresses.
import { describe, expect, test } from "bun:test";
import { AddressGuard } from "../../../src/files/address-guard.ts";
import { formatIp, parseIp } from "../../../src/files/ip-address.ts";

const ip = (text: string) => {
  const bytes = parseIp(text);
  if (!bytes) throw new Error(`test address ${text} does not parse`);
  return bytes;
};
const closed = new AddressGuard([]);

describe("refused unless allowed", () => {
  const cases: [string, string][] = [
    ["127.0.0.1", "a loopback address (RFC 1122 §3.2.1.3)"],
    ["127.255.0.9", "a loopback address (RFC 1122 §3.2.1.3)"],
    ["10.1.2.3", "a private address (RFC 1918)"],
    ["172.16.0.1", "a private address (RFC 1918)"],
    ["172.31.255.255", "a private address (RFC 1918)"],
    ["192.168.1.20", "a private address (RFC 1918)"],
    ["100.64.0.1", "a carrier-grade NAT address (RFC 6598)"],
    ["169.254.169.254", "a link-local address (RFC 3927; cloud metadata services live here)"],
    ["0.0.0.0", "an unspecified address ('this network', RFC 1122 §3.2.1.3)"],
    ["224.0.0.251", "a multicast address (RFC 5771)"],
    ["255.255.255.255", "the broadcast address (RFC 919)"],
    ["240.0.0.1", "a reserved address (RFC 1112 §4)"],
    ["::", "the unspecified address (RFC 4291 §2.5.2)"],
    ["::1", "the loopback address (RFC 4291 §2.5.3)"],
    ["fe80::1%eth0", "a link-local address (RFC 4291 §2.5.6)"],
    ["fc00::1", "a unique local address (RFC 4193)"],
    ["fd12:3456::1", "a unique local address (RFC 4193)"],
    ["ff02::1", "a multicast address (RFC 4291 §2.7)"],
    ["64:ff9b:1::1", "a local-use NAT64 address (RFC 8215)"],
    ["::ffff:127.0.0.1", "an IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2) carrying 127.0.0.1, a loopback address (RFC 1122 §3.2.1.3)"],
    ["::ffff:a00:1", "an IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2) carrying 10.0.0.1, a private address (RFC 1918)"],
    ["::192.168.0.1", "an IPv4-compatible IPv6 address (RFC 4291 §2.5.5.1) carrying 192.168.0.1, a private address (RFC 1918)"],
    [
      "64:ff9b::169.254.169.254",
      "a NAT64 address (RFC 6052 §2.1) carrying 169.254.169.254, a link-local address (RFC 3927; cloud metadata services live here)",
    ],
    ["2002:a00:1::1", "a 6to4 address (RFC 3056 §2) carrying 10.0.0.1, a private address (RFC 1918)"],
  ];
  for (const [address, what] of cases) {
    test(`${address} is ${what.split(" (")[0]}`, () => {
      expect(closed.refusal(ip(address))).toBe(what);
    });
  }
});

describe("fetched from", () => {
  for (const address of ["8.8.8.8", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::1.1.1.1"]) {
    test(`${address}, a public address`, () => {
      expect(closed.refusal(ip(address))).toBeUndefined();
    });
  }
});

describe("attachments.remote.allow", () => {
  const guard = new AddressGuard(["127.0.0.1/32", "192.168.1.0/24", "fd00::/8"]);

  test("opens exactly the blocks it lists", () => {
    expect(guard.refusal(ip("127.0.0.1"))).toBeUndefined();
    expect(guard.refusal(ip("192.168.1.20"))).toBeUndefined();
    expect(guard.refusal(ip("fd12::1"))).toBeUndefined();
    expect(guard.refusal(ip("127.0.0.2"))).toBe("a loopback address (RFC 1122 §3.2.1.3)");
    expect(guard.refusal(ip("192.168.2.1"))).toBe("a private address (RFC 1918)");
    expect(guard.refusal(ip("::1"))).toBe("the loopback address (RFC 4291 §2.5.3)");
  });

  test("an IPv4 block covers the IPv6 forms that carry its addresses", () => {
    expect(guard.refusal(ip("::ffff:127.0.0.1"))).toBeUndefined();
    expect(guard.refusal(ip("64:ff9b::192.168.1.9"))).toBeUndefined();
    expect(guard.refusal(ip("::ffff:127.0.0.2"))).toContain("carrying 127.0.0.2");
  });

  test("an entry that is no CIDR is refused with the config check's sentence", () => {
    expect(() => new AddressGuard(["intranet.example"])).toThrow('"intranet.example" is not an IP address or a CIDR range');
    expect(() => new AddressGuard(["10.0.0.0/33"])).toThrow("must be 0-32");
  });
});

describe("address text", () => {
  test("IPv6 forms parse to the same bytes and print as RFC 5952 says", () => {
    expect(formatIp(ip("0:0:0:0:0:ffff:7f00:1"))).toBe("::ffff:7f00:1");
    expect(formatIp(ip("[2001:DB8:0:0:1:0:0:1]"))).toBe("2001:db8::1:0:0:1");
    expect(formatIp(ip("1::"))).toBe("1::");
    expect(formatIp(ip("::"))).toBe("::");
  });

  test("what is not an address does not parse", () => {
    for (const text of ["", "1.2.3", "1.2.3.256", "01.2.3.4", "example.com", "1:2:3:4:5:6:7:8:9", "1::2::3", "::g", "1:2:3:4:5:6:7::8:9"]) {
      expect(parseIp(text)).toBeUndefined();
    }
  });
});
