// `make release` builds one executable per architecture. Each is run here as a user would run it:
// --version, check, and a start against a real Prosody with one post_msg message that bob, a real
// client, receives. The arm64 one runs under qemu-user (Debian's qemu-aarch64, with the arm64 C
// library of libc6-arm64-cross); `make test` installs both and builds the release first.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startProsody } from "../../testbed/prosody.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { allOf, connectClient, isMessageFrom, messageWithBody, type TestClient } from "../../testbed/xmpp-client.ts";
import { spawnGateway, type GatewayProcess } from "../helpers/gateway-process.ts";
import { freePort } from "../../testbed/ports.ts";
import { waitFor, withTimeout } from "../../testbed/timeouts.ts";

const DIST = join(import.meta.dir, "../../dist");
const ARM64_SYSROOT = "/usr/aarch64-linux-gnu";
/** Emulation makes start-up (JIT-less until warm) many times slower: deadlines are generous. */
const TARGETS = [
  { name: "linux-x64", command: [join(DIST, "stanzagate-linux-x64")], deadlineMs: 15_000 },
  { name: "linux-arm64", command: ["qemu-aarch64", "-L", ARM64_SYSROOT, join(DIST, "stanzagate-linux-arm64")], deadlineMs: 90_000 },
];

let prosody: XmppServer;
let bob: TestClient;
const running: GatewayProcess[] = [];

beforeAll(async () => {
  prosody = await startProsody();
  bob = await connectClient(prosody, "bob");
});

afterAll(async () => {
  for (const gw of running) if (gw.proc.exitCode === null) await gw.kill("SIGKILL");
  await bob?.stop();
  await prosody?.stop();
});

const ROUTES = (c2sPort: number) => `
auth:
  users: { kind: xmpp, server: "xmpp://127.0.0.1:${c2sPort}" }
routes:
  - plugin: post_msg
    auth: users
`;

const RENDER_ROUTES = `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }
routes:
  - path: /am/:user
    send: '{% for a in body.alerts %}<message to="{{ params.user }}@localhost"><body>{{ a.name | upcase }}</body></message>{% endfor %}'
`;

function run(command: string[], args: string[], timeoutMs: number) {
  const res = Bun.spawnSync([...command, ...args], { env: { STANZAGATE_SECRET: "x", PATH: process.env.PATH ?? "" }, timeout: timeoutMs });
  return { code: res.exitCode, out: res.stdout.toString(), err: res.stderr.toString() };
}

/** Polls /health (an observable answer, not a sleep) until the component is online and privileged. */
async function waitOnline(gw: GatewayProcess, deadlineMs: number): Promise<void> {
  const privileged = (h: { status: number; body: Record<string, unknown> }) =>
    h.status === 200 && (h.body.xmpp as { privileges?: { message?: string } } | undefined)?.privileges?.message === "outgoing";
  await waitFor(
    async () => privileged(await gw.health()),
    deadlineMs,
    "online and privileged",
    () => gw.stderr(),
    50,
  );
}

for (const target of TARGETS) {
  describe(`dist/stanzagate-${target.name}`, () => {
    test("exists (run `make release`)", () => {
      expect(existsSync(join(DIST, `stanzagate-${target.name}`))).toBe(true);
    });

    test(
      "prints its version",
      () => {
        const r = run(target.command, ["--version"], target.deadlineMs);
        expect(r.err).toBe("");
        expect(r.out).toMatch(/^stanzagate \d+\.\d+\.\d+\n$/);
      },
      target.deadlineMs,
    );

    test(
      "checks the shipped routes.yaml",
      () => {
        const r = run(target.command, ["check", "--config", join(import.meta.dir, "../../routes.yaml")], target.deadlineMs);
        expect(r.err).toBe("");
        expect(r.out).toMatch(/routes\.yaml: ok \(\d+ routes?\)/);
        expect(r.code).toBe(0);
      },
      target.deadlineMs,
    );

    test(
      "renders a Liquid template with a loop, without connecting (LiquidJS runs in the binary)",
      () => {
        const dir = join(import.meta.dir, "../../.cache/release-render");
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "routes.yaml"), RENDER_ROUTES);
        writeFileSync(join(dir, "body.json"), JSON.stringify({ alerts: [{ name: "disk" }, { name: "cpu <90%>" }] }));
        const r = run(
          target.command,
          ["render", "--config", join(dir, "routes.yaml"), "--route", "/am/bob", "--body", join(dir, "body.json")],
          target.deadlineMs,
        );
        expect(r).toEqual({
          code: 0,
          err: "",
          out: `<message to="bob@localhost" from="gw.localhost" id="render-1"><body>DISK</body></message>\n<message to="bob@localhost" from="gw.localhost" id="render-2"><body>CPU &lt;90%&gt;</body></message>\n`,
        });
      },
      target.deadlineMs,
    );

    test(
      "connects to Prosody, and bob receives what alice POSTs to post_msg",
      async () => {
        const gw = await spawnGateway(prosody, ROUTES(prosody.c2sPort), undefined, {
          command: target.command,
          readyTimeoutMs: target.deadlineMs,
        });
        running.push(gw);
        await waitOnline(gw, target.deadlineMs);
        const text = `hello from ${target.name}`;
        const arrived = bob.nextStanza(allOf(isMessageFrom("alice@localhost"), messageWithBody(text)), target.deadlineMs);
        const res = await fetch(`${gw.url}/msg/bob`, {
          method: "POST",
          headers: { "content-type": "text/plain", authorization: `Basic ${btoa("alice@localhost:alice-pw")}` },
          body: text,
        });
        expect({ status: res.status, body: await res.json() }).toMatchObject({
          status: 201,
          body: { status: "sent", from: "alice@localhost" },
        });
        expect((await arrived).getChildText("body")).toBe(text);
        expect(await gw.kill("SIGTERM")).toBe(0);
      },
      target.deadlineMs * 3,
    );
  });
}

// Bun.serve sets SO_REUSEADDR on its listening socket (and SO_REUSEPORT only with `reusePort`,
// which Stanzagate leaves off): connections the old process closed may sit in TIME-WAIT on the
// port, and the new one binds anyway; a second process on a port still served is refused.
describe("restarting dist/stanzagate-linux-x64 on the same port", () => {
  const [x64] = TARGETS;
  const HELLO = `
routes:
  - path: /hello
    send: <message to="bob@localhost" type="chat"><body>restarted</body></message>
`;

  /** Sockets in TIME-WAIT whose local port is `port` (/proc/net/tcp: hex "ip:port", state 06). */
  function timeWaitOn(port: number): number {
    const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
    const rows = readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1);
    return rows.filter((row) => {
      const [, local, , state] = row.trim().split(/\s+/);
      return local?.endsWith(`:${hexPort}`) && state === "06";
    }).length;
  }

  async function keepAliveRequests(gw: GatewayProcess, count: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const res = await fetch(`${gw.url}/healthz`, { keepalive: true });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    return statuses;
  }

  test("binds again at once after a SIGTERM that closed keep-alive connections, five times over", async () => {
    const port = await freePort();
    let timeWaitSeen = 0;
    for (let round = 0; round < 5; round++) {
      const gw = await spawnGateway(prosody, HELLO, undefined, { port, command: x64!.command });
      running.push(gw);
      expect(await keepAliveRequests(gw, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(await gw.kill("SIGTERM")).toBe(0);
      timeWaitSeen = Math.max(timeWaitSeen, timeWaitOn(port));
    }
    // The situation that once failed: the old server's side of its connections in TIME-WAIT.
    expect(timeWaitSeen).toBeGreaterThan(0);
  }, 60_000);

  test("a second process on a port that is still served exits 1 saying why", async () => {
    const first = await spawnGateway(prosody, HELLO, undefined, { command: x64!.command });
    running.push(first);
    const second = Bun.spawn([...x64!.command, "--config", join(first.dir, "routes.yaml")], { stdout: "ignore", stderr: "pipe" });
    const [code, err] = await Promise.all([
      withTimeout<number | string>(second.exited, 15_000, () => {
        second.kill("SIGKILL");
        return "still running";
      }),
      new Response(second.stderr).text(),
    ]);
    expect({ code, err }).toMatchObject({ code: 1, err: expect.stringMatching(/cannot start: .*(in use|EADDRINUSE)/i) });
    expect(await keepAliveRequests(first, 1)).toEqual([200]);
    expect(await first.kill("SIGTERM")).toBe(0);
  });
});
