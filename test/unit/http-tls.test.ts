// HTTPS on the listener (http.tls): served with the configured certificate, checked when the config
// loads, and renewed by a reload: after the files are replaced at the same paths, a new connection
// sees the new certificate, on the same port.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { connect } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILTIN_PLUGINS } from "../../plugins/index.ts";
import { createGateway, type Gateway } from "../../src/app.ts";
import { loadConfig } from "../../src/features/index.ts";
import { createLogger } from "../../src/log.ts";
import { loadTestConfig } from "../helpers/gateway.ts";
import { makeTestCa } from "../helpers/test-ca.ts";

const ca = makeTestCa("https");
const caPem = readFileSync(ca.caFile, "utf8");
const dir = mkdtempSync(join(tmpdir(), "stanzagate-https-"));
const certFile = join(dir, "fullchain.pem");
const keyFile = join(dir, "privkey.pem");
const configText = (tls: string) => `
xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }
http: { listen: "127.0.0.1:0", tls: { ${tls} } }
store: ":memory:"
`;
const TLS = `cert_file: "${certFile}", key_file: "${keyFile}"`;

// Issued up front, outside any test's time limit: RSA key generation is slow on a busy machine.
const first = ca.issue(["127.0.0.1"]);
const renewed = ca.issue(["127.0.0.1"]);
const stranger = ca.issue(["127.0.0.1"]);

/** Puts a certificate and its key where the config points, as a renewal does. */
function install(issued: ReturnType<typeof ca.issue>): void {
  copyFileSync(issued.cert, certFile);
  copyFileSync(issued.key, keyFile);
}

/** The serial number of the certificate a new connection is given (verified against the test CA). */
function servedSerial(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, ca: caPem }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.end();
    });
    socket.on("error", reject);
  });
}

describe("an HTTPS listener", () => {
  let gateway: Gateway;
  let port: number;

  beforeAll(async () => {
    install(first);
    gateway = await createGateway(loadTestConfig(configText(TLS)), { log: createLogger({ level: "error", write: () => {} }) });
    port = gateway.listen();
  });
  afterAll(() => gateway.stop({ flushTimeoutMs: 0 }));

  test("serves requests over TLS with the configured certificate", async () => {
    const res = await fetch(`https://127.0.0.1:${port}/healthz`, { tls: { ca: caPem } });
    expect(await res.json()).toEqual({ status: "alive" });
  });

  test("a reload after the files were replaced serves the new certificate to new connections, on the same port", async () => {
    const before = await servedSerial(port);
    install(renewed);
    const changes = await gateway.reload(loadTestConfig(configText(TLS)));
    expect(changes.certificate).toBe(true);
    const after = await servedSerial(port);
    expect(after).not.toBe(before);
    expect((await fetch(`https://127.0.0.1:${port}/healthz`, { tls: { ca: caPem } })).status).toBe(200);
  });

  test("a reload with the same files keeps the listener as it is", async () => {
    const before = await servedSerial(port);
    const changes = await gateway.reload(loadTestConfig(configText(TLS)));
    expect(changes.certificate).toBe(false);
    expect(await servedSerial(port)).toBe(before);
  });
});

describe("http.tls is checked when the config loads", () => {
  const problems = (tls: string) => {
    const result = loadConfig(configText(tls), {}, BUILTIN_PLUGINS);
    return result.ok ? [] : result.diagnostics.map((d) => `${d.line}:${d.col} ${d.path} ${d.message}`);
  };
  /** Where a file's quoted path starts on line 3 of configText(tls). */
  const col = (tls: string, file: string) => (configText(tls).split("\n")[2] ?? "").indexOf(`"${file}"`) + 1;

  test("a file that cannot be read, located at its key", () => {
    const tls = `cert_file: "${dir}/missing.pem", key_file: "${keyFile}"`;
    expect(problems(tls)).toEqual([
      `3:${col(tls, `${dir}/missing.pem`)} http.tls.cert_file cannot read ${dir}/missing.pem: ENOENT: no such file or directory, open '${dir}/missing.pem'`,
    ]);
  });

  test("a file that is not PEM, and a key swapped for the certificate", () => {
    const junk = join(dir, "junk.pem");
    writeFileSync(junk, "not a certificate\n");
    const tls = `cert_file: "${junk}", key_file: "${certFile}"`;
    expect(problems(tls)).toEqual([
      `3:${col(tls, junk)} http.tls.cert_file ${junk} is not a PEM certificate (no start line)`,
      `3:${col(tls, certFile)} http.tls.key_file ${certFile} is not a PEM private key (no start line)`,
    ]);
  });

  // A FIFO would block the open until someone writes, and /dev/zero never ends (7.9 GB of RSS in
  // under a minute): at a reload either froze the running gateway.
  test("a FIFO, a device or a huge file is refused at once, without reading it", () => {
    const fifo = join(dir, "fifo.pem");
    spawnSync("mkfifo", [fifo]);
    const huge = join(dir, "huge.pem");
    writeFileSync(huge, Buffer.alloc(2 * 1024 * 1024, 0x41));
    const refused: Array<[string, string]> = [
      [fifo, "not a regular file"],
      ["/dev/zero", "not a regular file"],
      [huge, "2097152 bytes, more than a PEM file holds (at most 1048576)"],
    ];
    for (const [file, why] of refused) {
      const tls = `cert_file: "${file}", key_file: "${keyFile}"`;
      expect(problems(tls)).toEqual([`3:${col(tls, file)} http.tls.cert_file cannot read ${file}: ${why}`]);
    }
  });

  test("a chain whose second certificate does not parse is refused, as the listener would refuse it", () => {
    const chain = join(dir, "broken-chain.pem");
    const leaf = readFileSync(certFile, "utf8");
    writeFileSync(chain, `${leaf}-----BEGIN CERTIFICATE-----\nTUlJQnJva2Vu\n-----END CERTIFICATE-----\n`);
    const tls = `cert_file: "${chain}", key_file: "${keyFile}"`;
    expect(problems(tls)).toEqual([
      `3:${col(tls, chain)} http.tls.cert_file ${chain} is not a PEM certificate (certificate 2 of the chain: decode error)`,
    ]);
  });

  test("a key that does not belong to the certificate", () => {
    const tls = `cert_file: "${certFile}", key_file: "${stranger.key}"`;
    expect(problems(tls)).toEqual([
      `3:${col(tls, stranger.key)} http.tls.key_file ${stranger.key} is not the private key of the certificate in ${certFile}`,
    ]);
  });
});
