// Files and images as chat messages (src/notify/send.ts, attachments.ts; issue 21 §4): the text
// first, then one message per file whose body is exactly the URL and whose XEP-0066 OOB element
// carries it; corrections and retractions reach those messages too.
import { describe, expect, test } from "bun:test";
import type { Attachment } from "../../../src/files/types.ts";
import { retractNotification, sendNotification } from "../../../src/notify/send.ts";
import { rememberedAfter } from "../../../src/notify/attachments.ts";
import { collectingPorts } from "../../helpers/notify-ports.ts";

const ports = (maxStanzaBytes?: number) => collectingPorts([], maxStanzaBytes);

const snapshot: Attachment = {
  kind: "file",
  file: { id: "ab".repeat(16), name: "door.jpg", type: "image/jpeg", size: 3, sha256: "00", url: "https://gw.example/files/abab/door.jpg" },
};
const chart: Attachment = { kind: "link", url: "https://grafana.example/render/1.png" };

describe("a notification with files", () => {
  test("text first, then one message per file: body exactly the URL, OOB with the URL and the name", async () => {
    const p = ports();
    const result = await sendNotification({ text: "Someone at the door", attachments: [snapshot, chart] }, ["a@localhost"], p);
    expect(p.sent.map((s) => s.toString())).toEqual([
      '<message to="a@localhost" from="gw.localhost" id="id1" type="chat"><body>Someone at the door</body><origin-id xmlns="urn:xmpp:sid:0" id="id1"/></message>',
      '<message to="a@localhost" from="gw.localhost" id="id2" type="chat"><body>https://gw.example/files/abab/door.jpg</body><origin-id xmlns="urn:xmpp:sid:0" id="id2"/><x xmlns="jabber:x:oob"><url>https://gw.example/files/abab/door.jpg</url><desc>door.jpg</desc></x></message>',
      '<message to="a@localhost" from="gw.localhost" id="id3" type="chat"><body>https://grafana.example/render/1.png</body><origin-id xmlns="urn:xmpp:sid:0" id="id3"/><x xmlns="jabber:x:oob"><url>https://grafana.example/render/1.png</url></x></message>',
    ]);
    // The text message's id first: what a format hands back to its sender is unchanged.
    expect(result.ids).toEqual({ "a@localhost": "id1,id2,id3" });
  });

  test("a file alone needs no text; every recipient gets every message", async () => {
    const p = ports();
    const result = await sendNotification({ text: "", attachments: [snapshot] }, ["a@localhost", "b@localhost"], p);
    expect(p.sent.map((s) => [s.attrs.to, s.getChildText("body")])).toEqual([
      ["a@localhost", snapshot.kind === "file" ? snapshot.file.url : ""],
      ["b@localhost", snapshot.kind === "file" ? snapshot.file.url : ""],
    ]);
    expect(result.ids).toEqual({ "a@localhost": ",id1", "b@localhost": ",id2" });
  });

  test("no text and no file is still NO_TEXT", async () => {
    await expect(sendNotification({ text: " ", attachments: [] }, ["a@localhost"], ports())).rejects.toMatchObject({ code: "NO_TEXT" });
  });

  test("a message too large for the server refuses them all before the first is delivered", async () => {
    const p = ports(300);
    const long: Attachment = { kind: "link", url: `https://x.example/${"a".repeat(300)}` };
    await expect(sendNotification({ text: "hi", attachments: [long] }, ["a@localhost"], p)).rejects.toMatchObject({
      code: "STANZA_TOO_LARGE",
    });
    expect(p.sent).toEqual([]);
  });

  test("a correction replaces text by text and file by file, and withdraws a file it no longer has", async () => {
    const p = ports();
    const result = await sendNotification({ text: "gone", attachments: [chart] }, ["a@localhost"], p, { "a@localhost": "t0,f1,f2" });
    const replaced = p.sent.map((s) => s.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id);
    const retracted = p.sent.map((s) => s.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id);
    expect(replaced).toEqual(["t0", "f1", undefined]);
    expect(retracted).toEqual([undefined, undefined, "f2"]);
    expect(result.ids).toEqual({ "a@localhost": "id1,id2" });
  });

  test("a withdrawal retracts the text and every file message, by the room's stanza-id where one was kept", async () => {
    const p = ports();
    await retractNotification({ "a@localhost": "t0,f1 room-f1" }, p);
    expect(p.sent.map((s) => s.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id)).toEqual(["t0", "room-f1"]);
  });
});

describe("what is remembered after a correction (rememberedAfter)", () => {
  test("a place corrected keeps the first id (a room's too), a place sent new adds its id, a place withdrawn is dropped", () => {
    // Before: text t0, one file f1 (in a room: ours and the room's). Sent: text and two files, the second new.
    expect(rememberedAfter({ "r@muc": "t0,f1 room-f1" }, { "r@muc": "c1,c2,n3" })).toEqual({ "r@muc": "t0,f1 room-f1,n3" });
    // Sent without text and with one file of two: the text and the second file were withdrawn.
    expect(rememberedAfter({ "a@localhost": "t0,f1,f2" }, { "a@localhost": ",c1" })).toEqual({ "a@localhost": ",f1" });
  });

  test("a first send is remembered as it is; a recipient the correction did not reach keeps what it had", () => {
    expect(rememberedAfter(undefined, { "a@localhost": "id1,id2" })).toEqual({ "a@localhost": "id1,id2" });
    expect(rememberedAfter({ "a@localhost": "t0", "b@localhost": "u0" }, { "a@localhost": "c1" })).toEqual({
      "a@localhost": "t0",
      "b@localhost": "u0",
    });
  });
});
