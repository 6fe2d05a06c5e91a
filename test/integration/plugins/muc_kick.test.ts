// muc_kick against each real server's MUC (Prosody, ejabberd): real occupants join rooms, an HTTP call kicks (or bans) one,
// and everyone in the room sees it happen, exactly as XEP-0045 §8.2 and §9.1 describe.
import { beforeAll, describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { testServers } from "../../helpers/servers.ts";
import { useTestBed } from "../../helpers/bed.ts";
import { isMessage, isPresenceFrom, joinRoom, type TestClient } from "../../../testbed/xmpp-client.ts";
import { MUC2, configureRoom, leftWithStatus, mucItem, postJson, routesYaml, setAffiliation, statusCodes } from "./muc_kick-fixtures.ts";

const ROUTES = routesYaml(`
  - plugin: muc_kick
    auth: kick
    options: { passwords: { "secret@muc.localhost": sesame } }
  - plugin: muc_kick
    path: /muc_ban
    auth: kick
    options: { action: ban }
  - plugin: muc_kick
    path: /muc_kick_linger
    auth: kick
    options: { linger_ms: 60000, nick: Janitor }
`);

/**
 * A ping round trip to the gateway through the server. The server sent the lingering gateway
 * bob's join presence before bob's own (XEP-0045 §7.2.3), on the same stream as this ping, so
 * once the answer is back the gateway has read it. Any answer, an error too, is the barrier.
 */
async function gatewayCaughtUp(client: TestClient, gateway: string): Promise<void> {
  const id = `barrier-${crypto.randomUUID()}`;
  const ping = xml("iq", { type: "get", id, to: gateway }, xml("ping", { xmlns: "urn:xmpp:ping" }));
  await client.sendReceive(ping, (s) => s.name === "iq" && s.attrs.id === id);
}

for (const server of testServers())
  describe(server.name, () => {
    const ejabberd = server.name === "ejabberd";
    /** ejabberd 23.01's refusal of a role or affiliation change, with its text. */
    const EJABBERD_NOT_ALLOWED = (verb: string) => ({
      error: `Couldn't ${verb} user: cancel: not-allowed`,
      text: "Changing role/affiliation is not allowed",
    });
    const bed = useTestBed(server, {
      server: { extraMucServices: [{ domain: MUC2, admins: ["carol@localhost"] }], mucAdmins: ["carol@localhost"] },
      gateway: { routes: ROUTES },
      clients: ["alice", "bob", "carol"],
    });

    /** alice creates `room` (she owns it), then bob joins as Bob. */
    async function aliceAndBobIn(room: string, password?: string): Promise<void> {
      await joinRoom(bed.alice, room, "Alice");
      if (password !== undefined)
        await configureRoom(bed.alice, room, { "muc#roomconfig_passwordprotectedroom": "1", "muc#roomconfig_roomsecret": password });
      await joinRoom(bed.bob, room, "Bob", password);
    }

    describe("kicking an occupant by nickname", () => {
      test("bob gets his unavailable presence with status 307 and the reason; alice sees the same", async () => {
        const room = "lounge@muc.localhost";
        await aliceAndBobIn(room);
        const res = await postJson(bed.gw, "/muc_kick", { nickname: "Bob", muc: room, reason: "Spamming" });
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toBeNull();
        expect(await res.text()).toBe("");

        const own = await bed.bob.nextStanza(leftWithStatus(`${room}/Bob`, "307"));
        expect(statusCodes(own)).toEqual(expect.arrayContaining(["307", "110"]));
        expect(mucItem(own)?.attrs.role).toBe("none");
        expect(mucItem(own)?.getChildText("reason")).toBe("Spamming");
        // Unlike the original (the server itself acted), the room names who kicked: the gateway.
        expect(mucItem(own)?.getChild("actor")?.attrs.nick).toBe("Stanzagate");

        const seen = await bed.alice.nextStanza(leftWithStatus(`${room}/Bob`, "307"));
        expect(mucItem(seen)?.attrs.role).toBe("none");
        expect(mucItem(seen)?.getChildText("reason")).toBe("Spamming");
      });

      test(`without a reason the kick still carries an empty <reason/>, as the original's \`reason or ""\`${ejabberd ? " (ejabberd drops the empty <reason/>)" : ""}`, async () => {
        const room = "quiet@muc.localhost";
        await aliceAndBobIn(room);
        expect((await postJson(bed.gw, "/muc_kick", { nickname: "Bob", muc: room })).status).toBe(200);
        const own = await bed.bob.nextStanza(leftWithStatus(`${room}/Bob`, "307"));
        expect(mucItem(own)?.getChildText("reason")).toBe(ejabberd ? null : "");
      });

      test("a room JID in capitals finds the room (JIDs are case-insensitive; the original answered 404)", async () => {
        const room = "capitals@muc.localhost";
        await aliceAndBobIn(room);
        expect((await postJson(bed.gw, "/muc_kick", { nickname: "Bob", muc: "CAPITALS@MUC.localhost" })).status).toBe(200);
        await bed.bob.nextStanza(leftWithStatus(`${room}/Bob`, "307"));
      });

      test(
        ejabberd
          ? "as a MUC-service admin the gateway still cannot kick an owner on ejabberd: 400 not-allowed"
          : "as a MUC-service admin the gateway is an owner everywhere, so it can kick an owner, as the original could",
        async () => {
          const room = "coowned@muc.localhost";
          await joinRoom(bed.bob, room, "Bob");
          await setAffiliation(bed.bob, room, bed.alice.bare, "owner");
          await joinRoom(bed.alice, room, "Alice");
          const res = await postJson(bed.gw, "/muc_kick", { nickname: "Alice", muc: room });
          if (ejabberd) {
            expect([res.status, await res.json()]).toEqual([400, EJABBERD_NOT_ALLOWED("kick")]);
            return;
          }
          expect(res.status).toBe(200);
          expect(mucItem(await bed.alice.nextStanza(leftWithStatus(`${room}/Alice`, "307")))?.attrs.affiliation).toBe("owner");
        },
      );

      test("the gateway joins as a moderator for the kick and leaves right after", async () => {
        const room = "visits@muc.localhost";
        await aliceAndBobIn(room);
        expect((await postJson(bed.gw, "/muc_kick", { nickname: "Bob", muc: room })).status).toBe(200);
        const joined = await bed.alice.nextStanza((s) => isPresenceFrom(`${room}/Stanzagate`)(s) && s.attrs.type === undefined);
        expect(mucItem(joined)?.attrs).toMatchObject({ role: "moderator", affiliation: "owner", jid: "gateway.localhost/muc_kick" });
        await bed.alice.nextStanza(leftWithStatus(`${room}/Bob`, "307"));
        const left = await bed.alice.nextStanza((s) => isPresenceFrom(`${room}/Stanzagate`)(s) && s.attrs.type === "unavailable");
        expect(statusCodes(left)).not.toContain("307");
      });

      test("a password-protected room is entered with the password from `passwords`", async () => {
        const room = "secret@muc.localhost";
        await aliceAndBobIn(room, "sesame");
        expect((await postJson(bed.gw, "/muc_kick", { nickname: "Bob", muc: room, reason: "bye" })).status).toBe(200);
        expect(mucItem(await bed.bob.nextStanza(leftWithStatus(`${room}/Bob`, "307")))?.getChildText("reason")).toBe("bye");
      });

      test(
        ejabberd
          ? "a room whose password the gateway does not know lets it in anyway on ejabberd (service admins skip the password): 200"
          : "a room whose password the gateway does not know refuses its join: 400 with the room's condition",
        async () => {
          const room = "vault@muc.localhost";
          await aliceAndBobIn(room, "unknown-to-the-gateway");
          const res = await postJson(bed.gw, "/muc_kick", { nickname: "Bob", muc: room });
          if (ejabberd) {
            expect(res.status).toBe(200);
            await bed.bob.nextStanza(leftWithStatus(`${room}/Bob`, "307"));
            return;
          }
          expect(res.status).toBe(400);
          expect(await res.json()).toEqual({
            error: "Couldn't kick user: auth: not-authorized",
            text: "The gateway could not join the room",
          });
        },
      );
    });

    describe("a nickname nobody has", () => {
      test(`is the room's refusal: 400${ejabberd ? " (ejabberd answers not-acceptable where Prosody answers item-not-found)" : ""}`, async () => {
        const room = "nobody@muc.localhost";
        await joinRoom(bed.alice, room, "Alice");
        const res = await postJson(bed.gw, "/muc_kick", { nickname: "Nobody", muc: room });
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: string }).error).toBe(
          `Couldn't kick user: modify: ${ejabberd ? "not-acceptable" : "item-not-found"}`,
        );
      });
    });

    describe("kicking by real JID (beyond the original)", () => {
      test("whichever occupant has bob's JID is kicked, whatever his nickname", async () => {
        const room = "byjid@muc.localhost";
        await joinRoom(bed.alice, room, "Alice");
        await joinRoom(bed.bob, room, "TotallyNotBob");
        expect((await postJson(bed.gw, "/muc_kick", { jid: "bob@localhost", muc: room, reason: "found you" })).status).toBe(200);
        expect(mucItem(await bed.bob.nextStanza(leftWithStatus(`${room}/TotallyNotBob`, "307")))?.getChildText("reason")).toBe("found you");
      });
    });

    describe("what the room refuses", () => {
      const room = `guarded@${MUC2}`;
      beforeAll(async () => {
        // On muc2 the gateway is only what alice makes it: a room admin. carol is a service admin there.
        await joinRoom(bed.alice, room, "Alice");
        await setAffiliation(bed.alice, room, bed.server.componentDomain, "admin");
        await joinRoom(bed.carol, room, "Carol");
        await joinRoom(bed.bob, room, "Bob");
      });

      test("an owner cannot be kicked by an admin: 400 with the server's reason", async () => {
        const res = await postJson(bed.gw, "/muc_kick", { nickname: "Alice", muc: room });
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual(ejabberd ? EJABBERD_NOT_ALLOWED("kick") : { error: "Couldn't kick user: cancel: not-allowed" });
      });

      test("a MUC-service admin (an owner of every room) cannot be kicked either", async () => {
        const res = await postJson(bed.gw, "/muc_kick", { nickname: "Carol", muc: room });
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual(ejabberd ? EJABBERD_NOT_ALLOWED("kick") : { error: "Couldn't kick user: cancel: not-allowed" });
      });

      test("while a plain participant can: being a room admin is enough to moderate", async () => {
        expect((await postJson(bed.gw, "/muc_kick", { nickname: "Bob", muc: room })).status).toBe(200);
        await bed.bob.nextStanza(leftWithStatus(`${room}/Bob`, "307"));
      });
    });

    describe("banning (a route with `action: ban`)", () => {
      test("bob gets status 301 with the reason and cannot come back", async () => {
        const room = "bans@muc.localhost";
        await aliceAndBobIn(room);
        expect((await postJson(bed.gw, "/muc_ban", { nickname: "Bob", muc: room, reason: "Go away" })).status).toBe(200);
        const own = await bed.bob.nextStanza(leftWithStatus(`${room}/Bob`, "301"));
        expect(mucItem(own)?.attrs.affiliation).toBe("outcast");
        expect(mucItem(own)?.getChildText("reason")).toBe("Go away");
        await expect(joinRoom(bed.bob, room, "Bob")).rejects.toThrow("forbidden");
      });

      test(`a MUC-service admin cannot be banned: 400 with the server's condition${ejabberd ? " (ejabberd: not-allowed, Prosody: not-acceptable)" : ""}`, async () => {
        const res = await postJson(bed.gw, "/muc_ban", { jid: "carol@localhost", muc: "bans@muc.localhost" });
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual(ejabberd ? EJABBERD_NOT_ALLOWED("ban") : { error: "Couldn't ban user: modify: not-acceptable" });
      });
    });

    describe("lingering in a room (`linger_ms`)", () => {
      test("two kicks in a row join once, and room traffic meanwhile is never answered with errors", async () => {
        const room = "burst@muc.localhost";
        await aliceAndBobIn(room);
        expect((await postJson(bed.gw, "/muc_kick_linger", { nickname: "Bob", muc: room })).status).toBe(200);
        await bed.alice.nextStanza(leftWithStatus(`${room}/Bob`, "307"));
        await joinRoom(bed.bob, room, "Bob");
        await gatewayCaughtUp(bed.alice, bed.server.componentDomain);
        await bed.alice.send(xml("message", { to: room, type: "groupchat" }, xml("body", {}, "is anyone moderating?")));
        expect((await postJson(bed.gw, "/muc_kick_linger", { nickname: "Bob", muc: room })).status).toBe(200);
        await bed.alice.nextStanza(leftWithStatus(`${room}/Bob`, "307"));

        const janitorJoins = bed.alice.received.filter((s) => isPresenceFrom(`${room}/Janitor`)(s) && s.attrs.type === undefined);
        expect(janitorJoins).toHaveLength(1);
        expect(bed.alice.received.filter((s) => isMessage(s) && s.attrs.type === "error")).toEqual([]);
      });
    });
  });
