// The link's write queue (src/xmpp/write-queue.ts): stanzas written in one turn of the event loop
// leave in one socket write, in order; a flush hook (the confirmation ping) rides in that write;
// `drain` sends what is pending before a stream is closed.
import { describe, expect, test } from "bun:test";
import { createBarrier } from "../../src/xmpp/barrier.ts";
import { createWriteQueue } from "../../src/xmpp/write-queue.ts";

function socket() {
  const chunks: string[] = [];
  return { chunks, queue: createWriteQueue(async (chunk) => void chunks.push(chunk)) };
}

describe("the write queue", () => {
  test("stanzas written in one turn leave in one write, in the order written", async () => {
    const { chunks, queue } = socket();
    await Promise.all([queue.write("<a/>"), queue.write("<b/>"), queue.write("<c/>")]);
    await queue.write("<d/>");
    expect(chunks).toEqual(["<a/><b/><c/>", "<d/>"]);
  });

  test("drain writes what is pending at once; the flush scheduled for it then finds nothing", async () => {
    const { chunks, queue } = socket();
    const written = queue.write("<presence type='unavailable'/>");
    await queue.drain();
    expect(chunks).toEqual(["<presence type='unavailable'/>"]);
    await written;
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks).toEqual(["<presence type='unavailable'/>"]);
  });

  test("drain with nothing pending resolves at once; a failed write rejects its writers and drain", async () => {
    expect(await createWriteQueue(async () => undefined).drain()).toBeUndefined();
    const failing = createWriteQueue(async () => {
      throw new Error("socket closed");
    });
    const written = failing.write("<a/>");
    await expect(failing.drain()).rejects.toThrow("socket closed");
    await expect(written).rejects.toThrow("socket closed");
  });

  test("what a flush hook writes rides in the same write, after what was queued", async () => {
    const { chunks: writes, queue } = socket();
    const sent = queue.write("<message/>");
    queue.beforeFlush(() => void queue.write("<iq/>"));
    await sent;
    expect(writes).toEqual(["<message/><iq/>"]);
  });

  test("a hook alone gets a write of its own", async () => {
    const { chunks: writes, queue } = socket();
    const { promise, resolve } = Promise.withResolvers<void>();
    queue.beforeFlush(() => void queue.write("<iq/>").then(resolve));
    await promise;
    expect(writes).toEqual(["<iq/>"]);
  });

  test("a barrier scheduled on the queue pings once per batch, in the batch's write", async () => {
    const { chunks: writes, queue } = socket();
    const barrier = createBarrier(() => queue.write("<ping/>"), { schedule: (send) => queue.beforeFlush(send) });
    const confirmed = ["<m1/>", "<m2/>", "<m3/>"].map((m) => (queue.write(m), barrier.after()));
    await Promise.all(confirmed);
    expect(writes).toEqual(["<m1/><m2/><m3/><ping/>"]);
  });
});
