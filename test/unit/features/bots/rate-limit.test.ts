// Commands per sender in a sliding window, with a bounded number of senders tracked.
import { expect, test } from "bun:test";
import { createRateLimit } from "../../../../src/features/bots/rate-limit.ts";

test("a sender past the limit is refused until the window slides past its oldest command", () => {
  let t = 0;
  const limit = createRateLimit(2, 1_000, () => t);
  expect([limit.take("bob"), limit.take("bob"), limit.take("bob"), limit.take("carol")]).toEqual([true, true, false, true]);
  t = 1_001;
  expect(limit.take("bob")).toBe(true);
});

test("a flood of distinct senders forgets the oldest beyond 10 000 instead of growing", () => {
  let t = 0;
  const limit = createRateLimit(1, 60_000, () => t);
  expect(limit.take("first@x")).toBe(true);
  for (let i = 0; i < 10_000; i++) limit.take(`s${i}@x`);
  t = 1;
  // "first@x" was forgotten to make room, so it is counted afresh (not refused).
  expect(limit.take("first@x")).toBe(true);
});

test("a sender over the limit is told once per window, then nothing until a window has passed since", () => {
  let t = 0;
  const limit = createRateLimit(1, 1_000, () => t);
  expect([limit.notice("bob"), limit.notice("bob"), limit.notice("carol")]).toEqual([true, false, true]);
  t = 999;
  expect(limit.notice("bob")).toBe(false);
  t = 1_000;
  expect(limit.notice("bob")).toBe(true);
});
