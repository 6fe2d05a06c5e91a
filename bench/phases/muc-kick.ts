/**
 * Kicks per second: a bare component fills a room with `count` occupants (u0@load..., nick u0...),
 * then HTTP kicks them all, `concurrency` at a time. The route lingers in the room, as a burst of
 * moderation would be configured.
 */
import xml from "@xmpp/xml";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import type { TestClient } from "../../testbed/xmpp-client.ts";
import { connectRawComponent } from "../../testbed/component.ts";
import { joinRoom, NS_MUC } from "../../testbed/xmpp-client.ts";
import { runLoad } from "../lib/load.ts";
import { unlessTimedOut, waitFor } from "../../testbed/timeouts.ts";

export interface KickRun {
  kicks: number;
  failed: number;
  kicks_per_s: number;
  statuses: Record<number, number>;
}

export async function mucKickRun(
  prosody: XmppServer,
  alice: TestClient,
  url: string,
  authorization: string,
  domain: string,
  secret: string,
  count: number,
): Promise<KickRun> {
  const room = `bench-${Date.now()}@${prosody.mucDomain}`;
  await joinRoom(alice, room, "alice");
  const load = await connectRawComponent(prosody, { domain, secret });
  // Each join ends with the occupant's own presence to that occupant; count those (the room's
  // broadcasts to everyone else are far more numerous than any buffer should hold).
  let joined = 0;
  load.xmpp.on("stanza", (s) => {
    if (s.name === "presence" && s.attrs.from === `${room}/${s.attrs.to?.split("@")[0]}` && !s.attrs.type) joined++;
  });
  for (let i = 0; i < count; i++)
    void load.send(xml("presence", { from: `u${i}@${domain}/x`, to: `${room}/u${i}` }, xml("x", { xmlns: NS_MUC })));
  // Kicks go out at the deadline even if some joins are missing: those show as failed kicks.
  await waitFor(() => joined >= count, 30_000, `${count} occupants to join`).catch(unlessTimedOut);
  const result = await runLoad(count, 8, 120_000, (seq) =>
    fetch(`${url}/muc_kick`, {
      method: "POST",
      headers: { authorization, "content-type": "application/json" },
      body: JSON.stringify({ nickname: `u${seq}`, muc: room, reason: "bench" }),
    }),
  );
  await load.stop();
  return {
    kicks: result.sent,
    failed: result.failed,
    kicks_per_s: Math.round(result.sent / (result.elapsed_ms / 1000)),
    statuses: result.statuses,
  };
}
