/**
 * HTTP -> XMPP through a declarative route (no plugin): POST /notify/bob with a JSON body
 * `{ "text": "<run>:<seq>" }` under `header` auth; the route's template makes the message, bob
 * counts arrivals. The same loop and latency as post_msg (post-msg.ts).
 */
import type { RemoteReceiver } from "../lib/remote-receiver.ts";
import { httpDeliveryRun, type DeliveryRun } from "./post-msg.ts";

export function declarativeRun(
  url: string,
  authorization: string,
  bob: RemoteReceiver,
  total: number,
  concurrency: number,
): Promise<DeliveryRun> {
  return httpDeliveryRun(bob, `dr${concurrency}-${Date.now()}`, total, concurrency, (text) =>
    fetch(`${url}/notify/bob`, {
      method: "POST",
      headers: { authorization, "content-type": "application/json" },
      body: JSON.stringify({ text }),
    }),
  );
}
