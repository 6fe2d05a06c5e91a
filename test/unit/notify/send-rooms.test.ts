// A notification to a room among its recipients (src/notify/send.ts with a GroupchatPort): a
// groupchat message, entered before anything is sent, its id remembered with the room's stanza-id
// so that a correction names ours (XEP-0308) and a retraction the room's (XEP-0424).
import { describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { xml } from "../../../src/kit/xml.ts";
import { GatewayError } from "../../../src/plugin-api/errors.ts";
import type { GroupchatPort } from "../../../src/notify/rooms.ts";
import { retractNotification, sendNotification } from "../../../src/notify/send.ts";

const ROOM = "ops@muc.localhost";

/** Ports whose room echoes each message with a stanza-id `room-<our id>` (or none), or refuses entry. */
function ports(options: { stanzaId?: boolean; refuse?: boolean } = {}) {
  const chats: Element[] = [];
  const posted: Element[] = [];
  const entered: string[] = [];
  let n = 0;
  const groupchat: GroupchatPort = {
    isRoom: (jid) => jid.toLowerCase() === ROOM,
    enter: async (room) => {
      if (options.refuse) throw new GatewayError("ROOM_REFUSED", `The room ${room} refused`, { status: 404 });
      entered.push(room);
    },
    post: async (stanza) => {
      posted.push(stanza);
      const sid = options.stanzaId ? [xml("stanza-id", { xmlns: "urn:xmpp:sid:0", by: ROOM, id: `room-${stanza.attrs.id}` })] : [];
      return { outcome: "sent", echo: xml("message", { from: `${ROOM}/Stanzagate`, type: "groupchat", id: stanza.attrs.id }, ...sid) };
    },
  };
  return {
    chats,
    posted,
    entered,
    component: "gw.localhost",
    maxStanzaBytes: 10_000,
    newId: () => `id${++n}`,
    deliver: async (stanza: Element) => {
      chats.push(stanza);
      return "sent" as const;
    },
    groupchat,
  };
}

describe("a room among the recipients", () => {
  test("gets a groupchat message through the room, a JID beside it a chat message; the room's stanza-id is remembered", async () => {
    const p = ports({ stanzaId: true });
    const result = await sendNotification({ text: "disk full" }, ["a@localhost", ROOM], p);
    expect(result).toEqual({ outcome: "sent", ids: { "a@localhost": "id1", [ROOM]: "id2 room-id2" } });
    expect(p.entered).toEqual([ROOM]);
    expect(p.chats.map((s) => s.attrs.type)).toEqual(["chat"]);
    expect(p.posted.map((s) => [s.attrs.to, s.attrs.type, s.getChildText("body")])).toEqual([[ROOM, "groupchat", "disk full"]]);
  });

  test("a room that gives no stanza-id: our id alone is remembered", async () => {
    const p = ports();
    expect((await sendNotification({ text: "x" }, [ROOM], p)).ids).toEqual({ [ROOM]: "id1" });
  });

  test("a room that refuses the gateway refuses the notification before the JID listed first got anything", async () => {
    const p = ports({ refuse: true });
    await expect(sendNotification({ text: "x" }, ["a@localhost", ROOM], p)).rejects.toMatchObject({ code: "ROOM_REFUSED", status: 404 });
    expect([p.chats, p.posted]).toEqual([[], []]);
  });

  test("a correction names the id we sent (XEP-0308), a retraction the room's stanza-id (XEP-0424), else ours", async () => {
    const p = ports();
    await sendNotification({ text: "now 90%" }, [ROOM], p, { [ROOM]: "first room-first" });
    expect(p.posted[0]?.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id).toBe("first");
    await retractNotification({ [ROOM]: "first room-first", "a@localhost": "other" }, p);
    expect(p.posted[1]?.attrs.type).toBe("groupchat");
    expect(p.posted[1]?.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id).toBe("room-first");
    expect(p.chats[0]?.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id).toBe("other");
    await retractNotification({ [ROOM]: "only-ours" }, p);
    expect(p.posted[2]?.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id).toBe("only-ours");
  });
});
