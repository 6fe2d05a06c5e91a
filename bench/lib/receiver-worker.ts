/**
 * The receiving client in a thread of its own, as a real client is a program of its own: in the
 * load generator's thread its stanzas would wait behind fetch completions and add that wait to
 * the measured latency. Times are absolute (timeOrigin + now) so both threads agree.
 */
import { connectClient, type ClientServer, type TestClient } from "../../testbed/xmpp-client.ts";
import { listen, type Arrivals } from "./receiver.ts";

declare const self: Worker;

export type ReceiverRequest =
  | { type: "connect"; c2sPort: number; host: string; username: string; password: string }
  | { type: "listen"; run: string }
  | { type: "wait"; count: number; timeoutMs: number }
  | { type: "stop" };

export type ReceiverReply =
  | { type: "ready"; bare: string }
  | { type: "listening" }
  | { type: "arrivals"; at: Array<[number, number]>; duplicates: number }
  | { type: "stopped" };

let client: TestClient | undefined;
let arrivals: Arrivals | undefined;

self.onmessage = async (event: MessageEvent<ReceiverRequest>) => {
  const req = event.data;
  const reply = (r: ReceiverReply) => self.postMessage(r);
  if (req.type === "connect") {
    const server: ClientServer = { c2sPort: req.c2sPort, host: req.host, users: { [req.username]: req.password } };
    client = await connectClient(server, req.username, { resource: "bench-receiver" });
    reply({ type: "ready", bare: client.bare });
  } else if (req.type === "listen" && client) {
    arrivals = listen(client, req.run);
    reply({ type: "listening" });
  } else if (req.type === "wait" && arrivals) {
    await arrivals.done(req.count, req.timeoutMs);
    arrivals.detach();
    reply({ type: "arrivals", at: [...arrivals.at].map(([seq, t]) => [seq, performance.timeOrigin + t]), duplicates: arrivals.duplicates });
  } else if (req.type === "stop") {
    await client?.stop();
    reply({ type: "stopped" });
  }
};
