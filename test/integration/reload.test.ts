// SIGHUP reload of a running stanzagate process against the test Prosody: routes swapped live
// without dropping the XMPP link or a request in flight, a broken file refused with locations, a
// storm of signals coalesced, xmpp.* reconnected, http.listen rebound.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { configHead } from "../helpers/gateway.ts";
import { spawnGateway, type GatewayProcess } from "../helpers/gateway-process.ts";
import { freePort } from "../../testbed/ports.ts";
import { startProsody } from "../../testbed/prosody.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { connectClient, messageWithBody, type TestClient } from "../../testbed/xmpp-client.ts";
import { sample } from "../helpers/offline-gateway.ts";
import { waitFor } from "../../testbed/timeouts.ts";

const TOKEN = "reload-token-0123456789";
const AUTH = `Bearer ${TOKEN}`;
const DEADLINE_MS = 10_000;
const auth = `auth:\n  app: { kind: bearer, tokens: [{ token: ${TOKEN}, name: app }] }\n`;
const route = (path: string, text = "{{ body.text }}") =>
  `  - name: r${path.replace(/\W/g, "_")}\n    path: ${path}\n    auth: app\n    send: '<message to="bob@localhost" type="chat"><body>${text}</body></message>'\n`;
const routes = (...paths: string[]) => `${auth}routes:\n${paths.map((p) => route(p)).join("")}`;

let prosody: XmppServer;
let bob: TestClient;
let gw: GatewayProcess;
let port: number;
/** The xmpp/http/store head of routes.yaml as last written. */
let head: string;

beforeAll(async () => {
  prosody = await startProsody();
  bob = await connectClient(prosody, "bob");
  gw = await spawnGateway(prosody, routes("/old"));
  port = Number(new URL(gw.url).port);
  head = configHead(prosody, join(gw.dir, "stanzagate.db"));
});

afterAll(async () => {
  await bob?.stop();
  if (gw?.proc.exitCode === null) await gw.kill("SIGTERM");
  await prosody?.stop();
});

/** Rewrites routes.yaml (same head as spawnGateway wrote, listen on `listenPort`). */
function writeRoutes(rest: string, listenPort = port): void {
  writeFileSync(join(gw.dir, "routes.yaml"), head.replace("listen: 127.0.0.1:0", `listen: 127.0.0.1:${listenPort}`) + rest);
}

/** Sends SIGHUP and waits for the n-th line containing `marker` in the log. */
async function hup(marker: string): Promise<string> {
  const before = count(marker);
  gw.proc.kill("SIGHUP");
  await until(() => count(marker) > before, `"${marker}" after SIGHUP`);
  return (
    gw
      .stderr()
      .split("\n")
      .filter((l) => l.includes(marker))
      .at(-1) ?? ""
  );
}

const count = (text: string) => gw.stderr().split(text).length - 1;

const until = (condition: () => boolean | Promise<boolean>, what: string) =>
  waitFor(condition, DEADLINE_MS, what, () => `log:\n${gw.stderr().split("\n").slice(-8).join("\n")}`);

const post = (path: string, text: string, base = gw.url) =>
  fetch(base + path, { method: "POST", headers: { authorization: AUTH, "content-type": "text/plain" }, body: text });
const scrape = async (base = gw.url) => (await fetch(`${base}/metrics`)).text();

describe("SIGHUP", () => {
  test("changes a route live while a request on the old route is in flight, which still completes", async () => {
    // The old request: headers and half its body now, the rest after the reload.
    const chunks: string[] = [];
    const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data: (_s, d) => void chunks.push(d.toString()) } });
    socket.write(
      `POST /old HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${AUTH}\r\nContent-Type: text/plain\r\nContent-Length: 23\r\nConnection: close\r\n\r\nin flight `,
    );
    await until(async () => (sample(await scrape(), "stanzagate_http_requests_in_flight") ?? 0) >= 2, "the old request to be in flight");

    writeRoutes(routes("/new"));
    const line = await hup("configuration reloaded");
    expect(JSON.parse(line)).toMatchObject({
      routes: { added: ["POST /new"], removed: ["POST /old"] },
      xmpp: "unchanged",
      http: "unchanged",
    });
    expect((await post("/old", "refused")).status).toBe(404);
    expect((await post("/new", "new route")).status).toBe(201);
    await bob.nextStanza(messageWithBody("new route"));

    socket.write("during reload");
    await until(() => chunks.join("").includes("\r\n\r\n{"), "the old request's answer");
    socket.end();
    expect(chunks.join("")).toStartWith("HTTP/1.1 201");
    await bob.nextStanza(messageWithBody("in flight during reload"));
    // The link was never dropped: one connect since start.
    expect(count('"component online"')).toBe(1);
    expect(sample(await scrape(), "stanzagate_xmpp_connects_total")).toBe(1);
  });

  test("a broken routes.yaml is refused with file:line:col, and the running routes keep serving", async () => {
    writeRoutes(
      `${auth}routes:\n  - name: broken\n    path: /broken\n    auth: nobody\n    send: '<message to="bob@localhost"><body>x</body></message>'\n`,
    );
    const line = await hup("reload refused");
    const { errors } = JSON.parse(line) as { errors: string[] };
    expect(errors[0]).toMatch(/routes\.yaml:\d+:\d+ +error +routes\[0\]\.auth +no auth scheme named "nobody"/);
    expect((await post("/new", "still served")).status).toBe(201);
    await bob.nextStanza(messageWithBody("still served"));
    expect(sample(await scrape(), 'stanzagate_reloads_total{outcome="rejected"}')).toBe(1);
  });

  test("a storm of 10 SIGHUPs in a second is coalesced, serves and scrapes throughout, and ends on the last file", async () => {
    const reloadsBefore = count('"configuration reloaded"');
    const scrapes: Array<Promise<number>> = [];
    for (let i = 0; i < 10; i++) {
      writeRoutes(routes(`/storm${i}`));
      gw.proc.kill("SIGHUP");
      scrapes.push(fetch(`${gw.url}/metrics`).then((r) => r.status));
      scrapes.push(fetch(`${gw.url}/health`).then((r) => r.status));
    }
    expect(await Promise.all(scrapes)).toEqual(Array(20).fill(200));
    await until(async () => (await post("/storm9", "x")).status === 201, "the last file to be served");
    for (const i of [0, 4, 8]) expect((await post(`/storm${i}`, "x")).status).toBe(404);
    // Coalesced: signals arriving during a reload make one more reload, not one each.
    expect(count('"configuration reloaded"') - reloadsBefore).toBeLessThan(10);
    expect(gw.proc.exitCode).toBeNull();
    expect(count('"component online"')).toBe(1);
  });

  test("a change of xmpp.* reconnects the link with the new settings", async () => {
    const online = count('"component online"');
    head = head.replace("initial_ms: 50", "initial_ms: 60");
    writeRoutes(routes("/after-xmpp"));
    const line = await hup("configuration reloaded");
    expect(JSON.parse(line)).toMatchObject({ xmpp: "reconnecting with the new settings" });
    await until(() => count('"component online"') > online, "the link to come back");
    expect((await post("/after-xmpp", "after reconnect")).status).toBe(201);
    await bob.nextStanza(messageWithBody("after reconnect"));
  });

  test("a change of http.listen rebinds: the new port serves, the old one is closed", async () => {
    const next = await freePort();
    writeRoutes(routes("/moved"), next);
    const line = await hup("configuration reloaded");
    expect(JSON.parse(line)).toMatchObject({ http: `rebound to 127.0.0.1:${next}` });
    const moved = `http://127.0.0.1:${next}`;
    expect((await post("/moved", "on the new port", moved)).status).toBe(201);
    await bob.nextStanza(messageWithBody("on the new port"));
    await until(
      () =>
        fetch(`${gw.url}/healthz`).then(
          () => false,
          () => true,
        ),
      "the old port to close",
    );
    expect(gw.proc.exitCode).toBeNull();
    gw = { ...gw, url: moved };
    port = next;
  });
});
