// Every auth scheme on a post_msg route, against each real server (Prosody, ejabberd) granting XEP-0356: each accepts
// good credentials and refuses bad ones; an identity with a JID sends as that user, one without
// sends from the component; repeated failures from one address get 429.
import { describe, expect, test } from "bun:test";
import { testServers } from "../../helpers/servers.ts";
import { allOf, isFrom, messageWithBody, type TestClient } from "../../../testbed/xmpp-client.ts";
import { startGateway } from "../../helpers/gateway.ts";
import { useTestBed } from "../../helpers/bed.ts";

const CI_TOKEN = "ci-token-0123456789abcdef";
const ANON_TOKEN = "anon-token-0123456789abcdef";
const OPS_HEADER = "Secret ops-0123456789";

for (const server of testServers())
  describe(server.name, () => {
    /** `stanzagate hash-password`, as an operator runs it. */
    async function hashPassword(password: string): Promise<string> {
      const proc = Bun.spawn([process.execPath, "src/main.ts", "hash-password"], {
        stdin: new Blob([password]),
        stdout: "pipe",
        stderr: "pipe",
      });
      const out = await new Response(proc.stdout).text();
      if ((await proc.exited) !== 0) throw new Error(`hash-password failed: ${await new Response(proc.stderr).text()}`);
      return out.trim();
    }

    function routes(c2sPort: number, hash: string, maxFailures: number): string {
      return `
auth_throttle: { max_failures: ${maxFailures}, window_s: 60 }
auth:
  users: { kind: xmpp, server: "xmpp://127.0.0.1:${c2sPort}" }
  local: { kind: basic, users: { alice: "${hash}" } }
  tokens:
    kind: bearer
    tokens:
      - { name: ci, token: "${CI_TOKEN}", jid: alice@localhost, allow: [bob@localhost] }
      - { name: anonymous, token: "${ANON_TOKEN}" }
  ops: { kind: header, value: "${OPS_HEADER}" }
routes:
  - { plugin: post_msg, auth: users }
  - { plugin: post_msg, path: /basic, auth: local }
  - { plugin: post_msg, path: /bearer, auth: tokens }
  - { plugin: post_msg, path: /header, auth: ops }
`;
    }

    let hash: string;

    const bed = useTestBed(server, {
      gateway: async (xmpp) => {
        hash = await hashPassword("local-secret");
        return { waitForPrivileges: true, routes: routes(xmpp.c2sPort, hash, 100) };
      },
      clients: ["bob", "carol"],
    });

    const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
    const say = (path: string, text: string, authorization?: string) =>
      bed.gw.post(path, { headers: { "content-type": "text/plain", ...(authorization ? { authorization } : {}) }, body: text });
    const received = (client: TestClient, from: string, text: string) => client.nextStanza(allOf(isFrom(from), messageWithBody(text)));

    async function expectError(res: Response, status: number, code: string): Promise<void> {
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ code });
    }

    describe("kind: xmpp, the server's own accounts by SASL", () => {
      test("accepts alice's XMPP password and sends as alice", async () => {
        expect((await say("/msg/bob", "xmpp ok", basic("alice@localhost", "alice-pw"))).status).toBe(201);
        await received(bed.bob, "alice@localhost", "xmpp ok");
      });

      test("refuses a wrong password and an unknown account", async () => {
        await expectError(await say("/msg/bob", "x", basic("alice@localhost", "nope")), 401, "AUTH_FAILED");
        await expectError(await say("/msg/bob", "x", basic("mallory@localhost", "nope")), 401, "AUTH_FAILED");
      });
    });

    describe("kind: basic, local users with argon2id hashes from `stanzagate hash-password`", () => {
      test("prints an argon2id hash", () => {
        expect(hash).toStartWith("$argon2id$");
      });

      test("accepts the password and sends as alice@localhost (a bare name belongs to the served host)", async () => {
        const res = await say("/basic/bob", "basic ok", basic("alice", "local-secret"));
        expect(await res.json()).toEqual({ status: "sent", to: "bob@localhost", from: "alice@localhost" });
        await received(bed.bob, "alice@localhost", "basic ok");
      });

      test("refuses a wrong password and an unknown user, challenging with the route's realm", async () => {
        for (const auth of [basic("alice", "wrong"), basic("eve", "local-secret")]) {
          const res = await say("/basic/bob", "x", auth);
          expect(res.headers.get("www-authenticate")).toBe('Basic realm="localhost/post_msg"');
          await expectError(res, 401, "AUTH_FAILED");
        }
      });
    });

    describe("kind: bearer, static tokens", () => {
      test("a token with a jid sends as that user, to recipients in its allow list", async () => {
        expect((await say("/bearer/bob", "bearer ok", `Bearer ${CI_TOKEN}`)).status).toBe(201);
        await received(bed.bob, "alice@localhost", "bearer ok");
      });

      test("a recipient outside the allow list: 403 with JSON", async () => {
        const res = await say("/bearer/carol", "x", `Bearer ${CI_TOKEN}`);
        expect(res.status).toBe(403);
        expect(await res.json()).toEqual({
          error: "This credential may not address carol@localhost",
          code: "FORBIDDEN",
          to: "carol@localhost",
        });
      });

      test("a token without a jid sends from the component's domain", async () => {
        const res = await say("/bearer/carol", "anonymous token", `Bearer ${ANON_TOKEN}`);
        expect(await res.json()).toEqual({ status: "sent", to: "carol@localhost", from: bed.server.componentDomain });
        await received(bed.carol, bed.server.componentDomain, "anonymous token");
      });

      test("refuses a wrong token and asks for one when missing", async () => {
        await expectError(await say("/bearer/bob", "x", "Bearer wrong-token-0123456789"), 401, "AUTH_FAILED");
        const res = await say("/bearer/bob", "x");
        expect(res.headers.get("www-authenticate")).toStartWith("Bearer");
        await expectError(res, 401, "AUTH_REQUIRED");
      });
    });

    describe("kind: header, one exact Authorization value", () => {
      test("accepts it and sends from the component's domain (the header names no user)", async () => {
        expect((await say("/header/bob", "header ok", OPS_HEADER)).status).toBe(201);
        await received(bed.bob, bed.server.componentDomain, "header ok");
      });

      test("refuses any other value and a missing header", async () => {
        await expectError(await say("/header/bob", "x", `${OPS_HEADER}x`), 401, "AUTH_FAILED");
        await expectError(await say("/header/bob", "x"), 401, "AUTH_REQUIRED");
      });
    });

    describe("repeated failures from one address", () => {
      test("are slowed down with 429 and Retry-After, even for good credentials afterwards", async () => {
        await bed.gw.stop();
        bed.gw = await startGateway(bed.server, { waitForPrivileges: true, routes: routes(bed.server.c2sPort, hash, 3) });
        for (let i = 0; i < 3; i++) await expectError(await say("/basic/bob", "x", basic("alice", "guess")), 401, "AUTH_FAILED");
        const res = await say("/basic/bob", "x", basic("alice", "local-secret"));
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
        await expectError(res, 429, "RATE_LIMITED");
      }, 20_000);
    });
  });
