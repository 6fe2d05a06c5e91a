import { describe, expect, test } from "bun:test";
import { createBarrier } from "../../src/xmpp/barrier.ts";
import { createWriteQueue } from "../../src/xmpp/write-queue.ts";

/** A write queue over a socket that records each write it is handed. */
function recordingQueue() {
  const writes: string[] = [];
  const queue = createWriteQueue(async (chunk) => void writes.push(chunk));
  return { writes, queue };
}

describe("the link's write queue", () => {
  test("stanzas written in the same turn leave in one write, in order", async () => {
    const { writes, queue } = recordingQueue();
    await Promise.all([queue.write("<a/>"), queue.write("<b/>"), queue.write("<c/>")]);
    expect(writes).toEqual(["<a/><b/><c/>"]);
  });

  test("what a flush hook writes rides in the same write, after what was queued", async () => {
    const { writes, queue } = recordingQueue();
    const sent = queue.write("<message/>");
    queue.beforeFlush(() => void queue.write("<iq/>"));
    await sent;
    expect(writes).toEqual(["<message/><iq/>"]);
  });

  test("a hook alone gets a write of its own", async () => {
    const { writes, queue } = recordingQueue();
    const { promise, resolve } = Promise.withResolvers<void>();
    queue.beforeFlush(() => void queue.write("<iq/>").then(resolve));
    await promise;
    expect(writes).toEqual(["<iq/>"]);
  });

  test("a barrier scheduled on the queue pings once per batch, in the batch's write", async () => {
    const { writes, queue } = recordingQueue();
    const barrier = createBarrier(() => queue.write("<ping/>"), { schedule: (send) => queue.beforeFlush(send) });
    const confirmed = ["<m1/>", "<m2/>", "<m3/>"].map((m) => (queue.write(m), barrier.after()));
    await Promise.all(confirmed);
    expect(writes).toEqual(["<m1/><m2/><m3/><ping/>"]);
  });
});
