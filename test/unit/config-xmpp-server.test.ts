// xmpp.server and xmpp.tls in routes.yaml: what `check` accepts, refuses, and warns about.
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILTIN_PLUGINS } from "../../plugins/index.ts";
import { formatDiagnostics, formatLines } from "../../src/config/diagnostics.ts";
import { loadConfig } from "../../src/features/index.ts";
import { isLoopback } from "../../src/config/check-xmpp.ts";
import { tlsParameters } from "../../src/xmpp/tls-component.ts";

const load = (server: string, tls = "") =>
  loadConfig(
    `xmpp:\n  server: "${server}"\n  component: gw.localhost\n  secret: s\n  host: localhost\n${tls ? `  tls: ${tls}\n` : ""}`,
    {},
    BUILTIN_PLUGINS,
  );

describe("a plain xmpp:// link", () => {
  test.each(["xmpp://127.0.0.1:5347", "xmpp://localhost:5347", "xmpp://[::1]:5347", "xmpp://127.0.0.53:5347"])(
    "to a loopback address (%s) loads without a warning",
    (server) => {
      expect(load(server)).toMatchObject({ ok: true, warnings: [] });
    },
  );

  test("to another machine loads, with a warning at xmpp.server that names the safe alternatives", () => {
    const result = load("xmpp://xmpp.example.org:5347");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(formatLines("routes.yaml", result.warnings)).toEqual([
      'routes.yaml:2:11  warning  xmpp.server  plain XEP-0114 to xmpp.example.org crosses the network unencrypted (the stanzas, and a handshake that can be attacked offline): use xmpps:// where the server offers TLS, or a TLS tunnel (docs/operations.md: "A link over an untrusted network")',
    ]);
  });

  test("with xmpp.tls is an error: tls applies to xmpps:// only", () => {
    const result = load("xmpp://127.0.0.1:5347", "{ ca_file: /etc/ca.pem }");
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(formatDiagnostics("routes.yaml", result.diagnostics)).toBe(
        "routes.yaml:6:8  error  xmpp.tls  xmpp.tls applies to xmpps:// links only; xmpp.server is xmpp://127.0.0.1:5347\n1 error — not started",
      );
  });

  test("a failed load lists the warnings with the errors", () => {
    const result = load("xmpp://10.0.0.5:5347", "{ ca_file: /etc/ca.pem }");
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(formatDiagnostics("routes.yaml", result.diagnostics).split("\n").at(-1)).toBe("1 error, 1 warning — not started");
  });
});

describe("an xmpps:// link", () => {
  test("to another machine loads without a warning", () => {
    expect(load("xmpps://xmpp.example.org:5275", "{ ca_file: /etc/stanzagate/ca.pem, server_name: xmpp.example.org }")).toMatchObject({
      ok: true,
      warnings: [],
    });
  });

  test("needs a port: components have no standard TLS port", () => {
    const result = load("xmpps://xmpp.example.org");
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.diagnostics.map((d) => [d.path, d.message])).toEqual([
        [
          "xmpp.server",
          "an xmpps:// link needs a port: components have no standard TLS port (ejabberd: the port of the ejabberd_service listener with tls: true)",
        ],
      ]);
  });

  test("refuses a tls key it does not know (there is no switch to skip verification)", () => {
    const result = load("xmpps://h:5275", "{ reject_unauthorized: false }");
    expect(result.ok).toBe(false);
  });
});

describe("what node:tls is given", () => {
  test("a DNS name is both the SNI and the name checked; the certificate is always verified", () => {
    expect(tlsParameters("xmpps://xmpp.example.org:5275", {})).toEqual({
      host: "xmpp.example.org",
      port: 5275,
      rejectUnauthorized: true,
      servername: "xmpp.example.org",
    });
  });

  test("an address sends no SNI (RFC 6066 §3) and is checked against the certificate's IP entries", () => {
    expect(tlsParameters("xmpps://[::1]:5275", {})).toEqual({ host: "::1", port: 5275, rejectUnauthorized: true });
  });

  test("server_name replaces the name checked", () => {
    expect(tlsParameters("xmpps://10.0.0.5:5275", { server_name: "xmpp.example.org" })).toMatchObject({
      host: "10.0.0.5",
      servername: "xmpp.example.org",
    });
  });
});

test.each([
  ["127.0.0.1", true],
  ["127.1.2.3", true],
  ["::1", true],
  ["[::1]", true],
  ["localhost", true],
  ["db.localhost", true],
  ["10.0.0.1", false],
  ["128.0.0.1", false],
  ["example.org", false],
  ["127.example.org", false],
] as const)("isLoopback(%s) is %p", (host, expected) => {
  expect(isLoopback(host)).toBe(expected);
});

test("`stanzagate check` prints the warning on stderr and still exits 0", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "sg-check-")), "routes.yaml");
  await Bun.write(file, "xmpp: { server: xmpp://xmpp.example.org:5347, component: gw.example.org, secret: s, host: example.org }\n");
  const proc = Bun.spawnSync([process.execPath, join(import.meta.dir, "../../src/main.ts"), "check", "--config", file], {
    env: { PATH: process.env.PATH ?? "" },
  });
  expect(proc.exitCode).toBe(0);
  expect(proc.stderr.toString()).toContain(
    "routes.yaml:1:17  warning  xmpp.server  plain XEP-0114 to xmpp.example.org crosses the network unencrypted",
  );
  expect(proc.stdout.toString()).toBe(`${file}: ok (0 routes)\n`);
});
