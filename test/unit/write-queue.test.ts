// The link's write queue (src/xmpp/write-queue.ts): stanzas written in one turn of the event loop
// leave in one socket write, in order; `drain` sends what is pending before a stream is closed.
import { describe, expect, test } from "bun:test";
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
});
