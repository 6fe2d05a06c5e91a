/**
 * The ceiling: a bare @xmpp/component script sends the same number of messages straight to the
 * server, as fast as the socket takes them, to the same receiving client. Stanzagate's rate is
 * reported as a share of this: the gateway's own cost is what can be improved.
 */
import xml from "@xmpp/xml";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { connectRawComponent } from "../../testbed/component.ts";
import { now, type RemoteReceiver } from "../lib/remote-receiver.ts";
import { deliveryRun, type DeliveryRun } from "./post-msg.ts";

/** Sends in windows so that memory stays bounded while the socket stays busy. */
const WINDOW = 256;

export async function ceilingRun(
  prosody: XmppServer,
  bob: RemoteReceiver,
  total: number,
  domain: string,
  secret: string,
): Promise<DeliveryRun> {
  const component = await connectRawComponent(prosody, { domain, secret });
  const run = `ceil-${Date.now()}`;
  await bob.listen(run);
  const started = new Map<number, number>();
  for (let base = 0; base < total; base += WINDOW) {
    const batch: Array<Promise<void>> = [];
    for (let seq = base; seq < Math.min(total, base + WINDOW); seq++) {
      started.set(seq, now());
      batch.push(component.send(xml("message", { to: bob.bare, from: domain, type: "chat" }, xml("body", {}, `${run}:${seq}`))));
    }
    await Promise.all(batch);
  }
  const arrivals = await bob.arrivals(total, 30_000);
  await component.stop();
  return deliveryRun(1, total, 0, started, arrivals.at, arrivals.duplicates);
}
