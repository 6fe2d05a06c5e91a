// What a bot reads in rooms: the addressing rule ("nick: text", as Gajim and Conversations write
// it) and invitations (XEP-0045 §7.8.2 mediated, XEP-0249 direct), and which inviters are believed.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import { addressedTo, declineInvitation, readInvitation, vouchedFor } from "../../../../src/features/bots/room-stanzas.ts";

describe("addressedTo: the nick, then : or , then the command", () => {
  test.each([
    ["house: temp kitchen", "temp kitchen"],
    ["House, ping", "ping"],
    ["HOUSE:ping  ", "ping"],
    ["  house:   help", "help"],
    ["house:", ""],
    ["house", undefined],
  ])("%j -> %j", (body, text) => expect(addressedTo(body, "house")).toBe(text as string | undefined));

  test.each(["temp kitchen", "houseboat: ping", "house ping", "my house: ping", "hous: ping", ""])(
    "%j is not addressed to house",
    (body) => {
      expect(addressedTo(body, "house")).toBeUndefined();
    },
  );

  test("nicks with odd Unicode match case-insensitively; an empty nick addresses nothing", () => {
    expect(addressedTo("Élan 🦊: ping", "élan 🦊")).toBe("ping");
    expect(addressedTo(": ping", "")).toBeUndefined();
  });

  test("a nick typed decomposed (e + U+0308) addresses the nick the server normalised (ë), and the other way round", () => {
    expect(addressedTo("zoe\u0308 ☃: ping", "Zoë ☃")).toBe("ping");
    expect(addressedTo("ZOË ☃, ping", "Zoe\u0308 ☃")).toBe("ping");
  });

  test("a nick holding a colon is read whole", () => {
    expect(addressedTo("a:b: ping", "a:b")).toBe("ping");
    expect(addressedTo("a: ping", "a:b")).toBeUndefined();
  });

  test("a 10,000-character body is read by its first characters only", () => {
    expect(addressedTo(`house: ${"x".repeat(10_000)}`, "house")?.length).toBe(10_000);
  });
});

describe("readInvitation", () => {
  test("§7.8.2 mediated: from the room, naming the inviter and the password", () => {
    const stanza = xml(
      "message",
      { from: "Lounge@muc.example", to: "house@gw.example" },
      xml(
        "x",
        { xmlns: "http://jabber.org/protocol/muc#user" },
        xml("invite", { from: "alice@example/phone" }, xml("reason", {}, "join us")),
        xml("password", {}, "sesame"),
      ),
    );
    expect(readInvitation(stanza)).toEqual({
      invitation: { via: "mediated", room: "lounge@muc.example", inviter: "alice@example", password: "sesame" },
    });
  });

  test("XEP-0249 direct: from the inviter, naming the room", () => {
    const stanza = xml(
      "message",
      { from: "alice@example/phone", to: "house@gw.example" },
      xml("x", { xmlns: "jabber:x:conference", jid: "den@muc.example" }),
    );
    expect(readInvitation(stanza)).toEqual({
      invitation: { via: "direct", room: "den@muc.example", inviter: "alice@example", password: undefined },
    });
  });

  test.each([
    ["a room JID with a resource", "den@muc.example/nick"],
    ["a domain, no room", "muc.example"],
    ["not a JID", "den@@muc"],
    ["no JID at all", undefined],
  ])("a direct invitation with %s is a problem, never a join", (_, jid) => {
    const stanza = xml(
      "message",
      { from: "alice@example/phone" },
      xml("x", { xmlns: "jabber:x:conference", ...(jid === undefined ? {} : { jid }) }),
    );
    expect(readInvitation(stanza)).toHaveProperty("problem");
  });

  test("a chat message, a groupchat and an error are no invitations", () => {
    expect(readInvitation(xml("message", { from: "alice@example", type: "chat" }, xml("body", {}, "hi")))).toBeUndefined();
    expect(
      readInvitation(
        xml("message", { from: "den@muc.example/a", type: "groupchat" }, xml("x", { xmlns: "jabber:x:conference", jid: "x@muc.example" })),
      ),
    ).toBeUndefined();
    expect(
      readInvitation(
        xml("message", { from: "alice@example", type: "error" }, xml("x", { xmlns: "jabber:x:conference", jid: "x@muc.example" })),
      ),
    ).toBeUndefined();
  });
});

describe("vouchedFor: whom a mediated invitation may name", () => {
  const mediated = (room: string, inviter: string) => ({ via: "mediated" as const, room, inviter, password: undefined });
  test("a room service of the inviter's domain, or the domain itself, is believed", () => {
    expect(vouchedFor(mediated("den@muc.example", "alice@example"))).toBe(true);
    expect(vouchedFor(mediated("den@example", "alice@example"))).toBe(true);
  });
  test("anybody else's room service claiming alice is not", () => {
    expect(vouchedFor(mediated("den@muc.evil.example", "alice@example.org"))).toBe(false);
    expect(vouchedFor(mediated("den@notexample", "alice@example"))).toBe(false);
  });
  test("a direct invitation comes from the inviter itself", () => {
    expect(vouchedFor({ via: "direct", room: "den@muc.evil", inviter: "alice@example", password: undefined })).toBe(true);
  });
});

test("the §7.8.2 decline goes to the room, for the inviter, with a reason", () => {
  const decline = declineInvitation(
    { via: "mediated", room: "den@muc.example", inviter: "alice@example", password: undefined },
    "house@gw.example",
    "no",
  );
  expect(decline.attrs).toMatchObject({ to: "den@muc.example", from: "house@gw.example" });
  expect(decline.getChild("x", "http://jabber.org/protocol/muc#user")?.getChild("decline")?.attrs.to).toBe("alice@example");
});
