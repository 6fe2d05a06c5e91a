// The reverse-proxy recipes of docs/operations.md ("Behind a reverse proxy"), run as written in
// front of a gateway with http.trusted_proxies: only the site name, the ports and the certificate
// change. Clients connect from their own loopback addresses (127.0.0.2, 127.0.0.3): each is
// throttled alone and logged under its own address, though every request reaches the gateway
// from the proxy at 127.0.0.1.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { Gateway } from "../../src/app.ts";
import { guardedMetrics, SCRAPE_TOKEN as TOKEN } from "../helpers/guarded-metrics.ts";
import { makeTestCa } from "../helpers/test-ca.ts";
import { freePort } from "../../testbed/ports.ts";
import { canConnect } from "../../testbed/ejabberd-log.ts";
import { forgetProcess, registerForCleanup, trackProcess } from "../../testbed/cleanup.ts";
import { waitFor } from "../../testbed/timeouts.ts";

const PROXY_READY_TIMEOUT_MS = 10_000;
const docs = await Bun.file(join(import.meta.dir, "../../docs/operations.md")).text();
const recipe = (language: string) => {
  const block = new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(docs)?.[1];
  if (!block) throw new Error(`docs/operations.md has no \`\`\`${language} block`);
  return block;
};

const ca = makeTestCa("proxy");
const { cert, key } = ca.issue(["127.0.0.1"]);
const dir = mkdtempSync(join(tmpdir(), "stanzagate-proxy-"));
registerForCleanup(dir);

/** nginx's recipe in a minimal nginx.conf: a loopback port, the test certificate, the gateway's port. */
function nginxConfig(port: number, upstream: number): string {
  const site = recipe("nginx")
    .replace("listen 443 ssl;", `listen 127.0.0.1:${port} ssl;`)
    .replace("listen [::]:443 ssl;", "")
    .replace(/ssl_certificate .*;/, `ssl_certificate ${cert};`)
    .replace(/ssl_certificate_key .*;/, `ssl_certificate_key ${key};`)
    .replace("127.0.0.1:5280", `127.0.0.1:${upstream}`);
  return `daemon off; pid ${dir}/nginx.pid; events {}\nhttp { access_log off; client_body_temp_path ${dir}; proxy_temp_path ${dir};\n${site}}\n`;
}

/** Caddy's recipe on a loopback port with the test certificate (no ACME, no admin endpoint). */
function caddyfile(port: number, upstream: number): string {
  const site = recipe("caddyfile")
    .replace("gateway.example.com {", `https://127.0.0.1:${port} {\n\ttls ${cert} ${key}`)
    .replace("127.0.0.1:5280", `127.0.0.1:${upstream}`);
  return `{\n\tadmin off\n\tauto_https off\n}\n${site}`;
}

/** The command running each recipe. */
const PROXIES: Record<string, (port: number, upstream: number) => string[]> = {
  nginx: (port, upstream) => ["nginx", "-p", dir, "-e", "stderr", "-c", write("nginx.conf", nginxConfig(port, upstream))],
  caddy: (port, upstream) => ["caddy", "run", "--adapter", "caddyfile", "--config", write("Caddyfile", caddyfile(port, upstream))],
};

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

/** Until the proxy accepts connections (bounded); its stderr when it exits or never does. */
async function listening(port: number, proxy: Subprocess, name: string): Promise<void> {
  const accepts = async () => {
    if (await canConnect(port, 200)) return true;
    if (proxy.exitCode !== null) throw new Error(`${name} exited ${proxy.exitCode}`);
    return false;
  };
  try {
    await waitFor(accepts, PROXY_READY_TIMEOUT_MS, `${name} to listen on ${port}`, undefined, 50);
  } catch (err) {
    proxy.kill();
    throw new Error(`${(err as Error).message}: ${await new Response(proxy.stderr as ReadableStream).text()}`);
  }
}

/** GET /metrics through the proxy with curl, from a chosen loopback address; the status. */
async function scrape(port: number, from: string, token: string, headers: string[] = []): Promise<number> {
  const curl = Bun.spawn(
    [
      "curl",
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "--cacert",
      ca.caFile,
      "--interface",
      from,
      "-H",
      `authorization: Bearer ${token}`,
      ...headers.flatMap((h) => ["-H", h]),
      `https://127.0.0.1:${port}/metrics`,
    ],
    { stdout: "pipe" },
  );
  const status = Number(await new Response(curl.stdout).text());
  await curl.exited;
  return status;
}

for (const [name, command] of Object.entries(PROXIES)) {
  describe(`the ${name} recipe, with http.trusted_proxies: ["127.0.0.1"]`, () => {
    let gateway: Gateway;
    let proxy: Subprocess;
    let port: number;
    let clients: () => unknown[];

    beforeAll(async () => {
      const guarded = await guardedMetrics(`trusted_proxies: ["127.0.0.1"]`);
      ({ gateway, clients } = guarded);
      const upstream = guarded.port;
      port = await freePort();
      proxy = Bun.spawn(command(port, upstream), {
        stdout: "ignore",
        stderr: "pipe",
        env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
      });
      trackProcess(proxy);
      await listening(port, proxy, name);
    });

    afterAll(async () => {
      proxy?.kill("SIGTERM");
      await proxy?.exited;
      if (proxy) forgetProcess(proxy);
      await gateway?.stop({ flushTimeoutMs: 0 });
    });

    test("a sender with a wrong token is throttled alone; another sender behind the same proxy is served; the log shows each", async () => {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push(await scrape(port, "127.0.0.2", "wrong-token-0123456789"));
      expect(statuses).toEqual([401, 401, 401, 429]);
      expect(await scrape(port, "127.0.0.3", TOKEN)).toBe(200);
      expect(clients()).toEqual(["127.0.0.2", "127.0.0.2", "127.0.0.2", "127.0.0.2", "127.0.0.3"]);
    });

    test("a throttled sender writing its own X-Forwarded-For is still itself", async () => {
      expect(await scrape(port, "127.0.0.2", TOKEN, ["x-forwarded-for: 198.51.100.9"])).toBe(429);
    });
  });
}
