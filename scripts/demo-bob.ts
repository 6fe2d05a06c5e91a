// bob, the demo's witness: he logs in, opens the demo's room and sits in it, prints what he
// receives, and says what is typed on the terminal: to the bot, or (after ">") in the room.
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import type { XmppServer } from "../testbed/xmpp-server.ts";
import { connectClient, hasMucStatus, isPresence, joinRoom, jidMatches, type TestClient } from "../testbed/xmpp-client.ts";

const NICK = "Bob";

/**
 * XEP-0045 §10.2 (muc#roomconfig): persistent, so the room outlives its last occupant (bob kicked
 * by the muc_kick example), and real JIDs shown to everyone, so a bot's `allow:` can read who
 * speaks (README, "Bots in rooms"). Submitting the form also unlocks the new room (§10.1.3).
 */
export const DEMO_ROOM_CONFIG = { "muc#roomconfig_persistentroom": "1", "muc#roomconfig_whois": "anyone" };

/** bob online, in `room` (created and configured by this join), printing what he receives. */
export async function startBob(prosody: XmppServer, room: string): Promise<TestClient> {
  const bob = await connectClient(prosody, "bob", { resource: "demo" });
  const occupants = new Set<string>();
  bob.xmpp.on("stanza", (stanza) => report(bob, room, stanza, occupants));
  await joinRoom(bob, room, NICK, { config: DEMO_ROOM_CONFIG });
  return bob;
}

/** Prints messages, and the room's comings and goings (§7.2.3: each (re)join lists the occupants again: told once). */
function report(bob: TestClient, room: string, s: Element, occupants: Set<string>): void {
  const from = s.attrs.from ?? "";
  const body = s.getChildText("body");
  if (s.name === "message" && body && from !== `${room}/${NICK}`) console.log(`\n  bob received from ${from}: ${body}`);
  if (!isPresence(s) || !jidMatches(from, room)) return;
  if (hasMucStatus("307", "110")(s)) return void kickedOut(bob, room, s);
  const nick = from.slice(room.length + 1);
  const present = s.attrs.type !== "unavailable";
  if (!nick || nick === NICK || occupants.has(nick) === present) return;
  if (present) occupants.add(nick);
  else occupants.delete(nick);
  console.log(`\n  bob sees ${nick} ${present ? "enter" : "leave"} ${room}`);
}

/** §8.2 kick: the room stays (persistent); bob enters again, so the example can be run again. */
async function kickedOut(bob: TestClient, room: string, presence: Element): Promise<void> {
  const reason = presence.getChild("x", "http://jabber.org/protocol/muc#user")?.getChild("item")?.getChildText("reason");
  console.log(`\n  bob was kicked out of ${room}${reason ? ` (${reason})` : ""}`);
  // The kick's own presence carries status 110 too: it must not pass for the new join's answer.
  bob.clearBuffer();
  await joinRoom(bob, room, NICK).then(
    () => console.log(`\n  bob is back in ${room}: a kick leaves the room there (it is persistent)`),
    (err: unknown) => console.log(`\n  bob could not enter ${room} again: ${String(err)}`),
  );
}

/** Each line typed on the terminal: a chat message to `bot`, or with a leading ">" a groupchat in `room`. */
export async function relayStdin(bob: TestClient, bot: string, room: string): Promise<void> {
  for await (const raw of console) {
    const line = raw.trim();
    if (!line) continue;
    const [to, type, text] = line.startsWith(">") ? [room, "groupchat", line.slice(1).trim()] : [bot, "chat", line];
    await bob.send(xml("message", { to, type, id: `demo-${crypto.randomUUID()}` }, xml("body", {}, text)));
  }
}
