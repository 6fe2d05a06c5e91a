/** The main thread's handle on the receiver thread (see receiver-worker.ts). */
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import type { ReceiverReply, ReceiverRequest } from "./receiver-worker.ts";

export interface RemoteReceiver {
  bare: string;
  listen(run: string): Promise<void>;
  /** Waits for `count` arrivals (bounded), then gives seq -> absolute arrival time. */
  arrivals(count: number, timeoutMs: number): Promise<{ at: Map<number, number>; duplicates: number }>;
  stop(): Promise<void>;
}

/** Absolute milliseconds, comparable across threads. */
export const now = () => performance.timeOrigin + performance.now();

export async function startReceiver(prosody: XmppServer, username: string): Promise<RemoteReceiver> {
  const worker = new Worker(new URL("./receiver-worker.ts", import.meta.url).href);
  const ask = (req: ReceiverRequest) =>
    new Promise<ReceiverReply>((resolve) => {
      worker.addEventListener("message", (e: MessageEvent<ReceiverReply>) => resolve(e.data), { once: true });
      worker.postMessage(req);
    });
  const ready = await ask({
    type: "connect",
    c2sPort: prosody.c2sPort,
    host: prosody.host,
    username,
    password: prosody.users[username] ?? "",
  });
  if (ready.type !== "ready") throw new Error("receiver did not connect");
  return {
    bare: ready.bare,
    listen: async (run) => void (await ask({ type: "listen", run })),
    async arrivals(count, timeoutMs) {
      const r = await ask({ type: "wait", count, timeoutMs });
      return r.type === "arrivals" ? { at: new Map(r.at), duplicates: r.duplicates } : { at: new Map(), duplicates: 0 };
    },
    async stop() {
      await ask({ type: "stop" });
      worker.terminate();
    },
  };
}
