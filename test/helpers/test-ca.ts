// A throw-away certificate authority made with openssl, for TLS links in tests: a CA, and server
// certificates it signs for the names given (DNS names and IP addresses, RFC 5280 subjectAltName).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registerForCleanup } from "../../testbed/cleanup.ts";

export interface TestCa {
  /** The CA certificate (PEM): what xmpp.tls.ca_file trusts. */
  caFile: string;
  /** A server certificate for `names`: `{ cert, key, bundle }` (bundle = cert + key, for ejabberd). */
  issue(names: string[]): { cert: string; key: string; bundle: string };
}

export function makeTestCa(label: string): TestCa {
  const dir = mkdtempSync(join(tmpdir(), `stanzagate-ca-${label}-`));
  registerForCleanup(dir);
  const caFile = join(dir, "ca.pem");
  openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    join(dir, "ca.key"),
    "-out",
    caFile,
    "-days",
    "2",
    "-subj",
    `/CN=Stanzagate test CA ${label}`,
  ]);
  let serial = 0;
  return {
    caFile,
    issue(names) {
      const base = join(dir, `server-${++serial}`);
      openssl([
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        `${base}.key`,
        "-out",
        `${base}.csr`,
        "-subj",
        `/CN=${names[0] ?? "localhost"}`,
      ]);
      writeFileSync(`${base}.ext`, `subjectAltName=${names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(",")}\n`);
      openssl([
        "x509",
        "-req",
        "-in",
        `${base}.csr`,
        "-CA",
        caFile,
        "-CAkey",
        join(dir, "ca.key"),
        "-set_serial",
        String(serial),
        "-out",
        `${base}.pem`,
        "-days",
        "2",
        "-extfile",
        `${base}.ext`,
      ]);
      writeFileSync(`${base}.bundle.pem`, readFileSync(`${base}.pem`, "utf8") + readFileSync(`${base}.key`, "utf8"));
      return { cert: `${base}.pem`, key: `${base}.key`, bundle: `${base}.bundle.pem` };
    },
  };
}

function openssl(args: string[]): void {
  const run = Bun.spawnSync(["openssl", ...args], { stdout: "ignore", stderr: "pipe" });
  if (run.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${run.stderr.toString()}`);
}
