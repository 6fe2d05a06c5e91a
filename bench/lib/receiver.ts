/**
 * The receiving side of a run: a real client that records when each numbered message arrives.
 * Bodies carry "<run>:<seq>" so a run counts exactly its own messages, and duplicates show.
 */
import type { Element } from "ltx";
import type { TestClient } from "../../testbed/xmpp-client.ts";

export interface Arrivals {
  /** seq -> arrival time (performance.now()). */
  at: Map<number, number>;
  duplicates: number;
  /** Resolves when `count` distinct messages arrived, or after `timeoutMs` (never rejects). */
  done(count: number, timeoutMs: number): Promise<void>;
  detach(): void;
}

export function listen(client: TestClient, run: string): Arrivals {
  const at = new Map<number, number>();
  const state = { duplicates: 0, wake: () => {} };
  const onStanza = (s: Element) => {
    if (s.name !== "message") return;
    const body = s.getChildText("body");
    if (!body?.startsWith(run + ":")) return;
    const seq = Number(body.slice(run.length + 1));
    if (at.has(seq)) state.duplicates++;
    else at.set(seq, performance.now());
    state.wake();
  };
  client.xmpp.on("stanza", onStanza);
  return {
    at,
    get duplicates() {
      return state.duplicates;
    },
    async done(count, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while (at.size < count && performance.now() < deadline) {
        await new Promise<void>((resolve) => {
          state.wake = resolve;
          setTimeout(resolve, 100);
        });
      }
    },
    detach: () => client.xmpp.removeListener("stanza", onStanza as never),
  };
}
