// Every error mod_http_muc_kick answered, with its exact status and body, against each real server
// (Prosody, ejabberd: where ejabberd's MUC answers otherwise, the test says so and asserts its answer);
// then the ones only a gateway outside the server can meet (a silent MUC, a malformed JID), and
// the refusal to start without an auth scheme.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { testServers } from "../../helpers/servers.ts";
import { joinRoom } from "../../../testbed/xmpp-client.ts";
import { connectRawComponent, type RawComponent } from "../../../testbed/component.ts";
import { configHead, startGateway } from "../../helpers/gateway.ts";
import { useTestBed } from "../../helpers/bed.ts";
import { postJson, routesYaml } from "./muc_kick-fixtures.ts";

const SLOW = "slowmuc.localhost";
const SLOW_SECRET = "slow-muc-secret";
const ROUTES = routesYaml(`
  - plugin: muc_kick
    auth: kick
  - plugin: muc_kick
    path: /muc_kick_fast
    auth: kick
    options: { timeout_ms: 300 }
`);

for (const server of testServers())
  describe(server.name, () => {
    let slowMuc: RawComponent;

    /** A "MUC service" that answers disco#info like one but never lets anybody join. */
    async function startSilentMuc(): Promise<RawComponent> {
      const muc = await connectRawComponent(bed.server, { domain: SLOW, secret: SLOW_SECRET });
      const callee = muc.xmpp.iqCallee;
      const ns = "http://jabber.org/protocol/disco#info";
      callee.get(ns, "query", () =>
        xml(
          "query",
          { xmlns: ns },
          xml("identity", { category: "conference", type: "text" }),
          xml("feature", { var: "http://jabber.org/protocol/muc" }),
        ),
      );
      return muc;
    }

    // Registered before the bed, so it runs before the bed stops the server the silent MUC is on.
    afterAll(() => slowMuc?.stop());
    const bed = useTestBed(server, {
      server: { extraComponents: [{ domain: SLOW, secret: SLOW_SECRET }] },
      gateway: { routes: ROUTES },
      clients: ["alice"],
    });
    beforeAll(async () => {
      await joinRoom(bed.alice, "lounge@muc.localhost", "Alice");
      slowMuc = await startSilentMuc();
    });

    /** Status, Content-Type and body text, for byte-for-byte comparison. */
    async function answer(res: Response): Promise<[number, string | null, string]> {
      return [res.status, res.headers.get("content-type"), await res.text()];
    }

    const kick = (body: unknown, authorization?: string | null) => postJson(bed.gw, "/muc_kick", body, authorization);

    describe("the original's answers, byte for byte", () => {
      test("a host the server does not know: 404 No such host", async () => {
        expect(await answer(await kick({ nickname: "Bob", muc: "room@nohost.localhost" }))).toEqual([
          404,
          "application/json",
          `{"error":"MUC not found: No such host: nohost.localhost"}`,
        ]);
      });

      test("a host that is no MUC service: 404 is not a MUC service", async () => {
        expect(await answer(await kick({ nickname: "Bob", muc: "room@localhost" }))).toEqual([
          404,
          "application/json",
          `{"error":"MUC not found: Host 'localhost' is not a MUC service"}`,
        ]);
        expect(await answer(await kick({ nickname: "Bob", muc: "room@gateway.localhost" }))).toEqual([
          404,
          "application/json",
          `{"error":"MUC not found: Host 'gateway.localhost' is not a MUC service"}`,
        ]);
      });

      test("a MUC service without that room: 404 No MUC found, and asking does not create the room", async () => {
        expect(await answer(await kick({ nickname: "Bob", muc: "NoSuchRoom@muc.localhost" }))).toEqual([
          404,
          "application/json",
          `{"error":"MUC not found: No MUC 'nosuchroom' found for host: muc.localhost"}`,
        ]);
        const disco = xml(
          "iq",
          { type: "get", to: "nosuchroom@muc.localhost" },
          xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
        );
        await expect(bed.alice.iq(disco)).rejects.toThrow("item-not-found");
      });

      if (server.name === "ejabberd") {
        test("a nickname nobody has in the room: 400 (ejabberd: modify: not-acceptable, with its text)", async () => {
          const body = `{"error":"Couldn't kick user: modify: not-acceptable","text":"Nickname Nobody does not exist in the room"}`;
          expect(await answer(await kick({ nickname: "Nobody", muc: "lounge@muc.localhost" }))).toEqual([400, "application/json", body]);
        });
      } else {
        test("a nickname nobody has in the room: 400 Couldn't kick user: modify: item-not-found", async () => {
          expect(await answer(await kick({ nickname: "Nobody", muc: "lounge@muc.localhost" }))).toEqual([
            400,
            "application/json",
            `{"error":"Couldn't kick user: modify: item-not-found"}`,
          ]);
        });
      }

      test("a real JID nobody in the room has: the same 400", async () => {
        expect(await answer(await kick({ jid: "carol@localhost", muc: "lounge@muc.localhost" }))).toEqual([
          400,
          "application/json",
          `{"error":"Couldn't kick user: modify: item-not-found"}`,
        ]);
      });
    });

    describe("cases the original crashed on (500), answered properly", () => {
      test("a service JID with no room part: 404 No MUC '' found", async () => {
        expect(await answer(await kick({ nickname: "Bob", muc: "muc.localhost" }))).toEqual([
          404,
          "application/json",
          `{"error":"MUC not found: No MUC '' found for host: muc.localhost"}`,
        ]);
      });
    });

    describe("what only a gateway outside the server meets", () => {
      // ejabberd 23.01 lets the gateway (a service admin) into a room its creator has not configured.
      if (server.name === "prosody") {
        test("a room created but never configured (locked, XEP-0045 §10.1.2): 400 item-not-found, the text says it may be locked", async () => {
          await joinRoom(bed.alice, "locked@muc.localhost", "Alice", { instant: false });
          const body = `{"error":"Couldn't kick user: cancel: item-not-found","text":"The gateway could not join the room: it does not exist or is locked"}`;
          expect(await answer(await kick({ nickname: "Alice", muc: "locked@muc.localhost" }))).toEqual([400, "application/json", body]);
        });
      }

      test("a MUC that never answers the join: 504 XMPP_TIMEOUT after timeout_ms", async () => {
        const res = await postJson(bed.gw, "/muc_kick_fast", { nickname: "Bob", muc: `room@${SLOW}` });
        expect(res.status).toBe(504);
        expect(await res.json()).toEqual({
          error: "The XMPP server did not answer in time",
          code: "XMPP_TIMEOUT",
          waiting_for: `room@${SLOW}`,
        });
      });
    });

    describe("configuration", () => {
      const noAuth = "routes:\n  - plugin: muc_kick\n";

      test("`check` refuses a muc_kick route without an auth scheme, as the module refused to load", async () => {
        const file = `${bed.server.dir}/no-auth.yaml`;
        await Bun.write(file, configHead(bed.server) + noAuth);
        const proc = Bun.spawn([process.execPath, "src/main.ts", "check", "--config", file], { stdout: "pipe", stderr: "pipe" });
        const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
        expect(code).toBe(1);
        expect(stderr).toContain("plugin muc_kick needs an auth scheme");
      });

      test("start-up refuses it the same way", async () => {
        await expect(startGateway(bed.server, { routes: noAuth })).rejects.toThrow("plugin muc_kick needs an auth scheme");
      });
    });
  });
