// The failure throttle with an injected clock: each address keeps its state until its own window
// ends, whatever other addresses do; memory stays bounded.
import { describe, expect, test } from "bun:test";
import { createThrottle } from "../../src/auth/throttle.ts";
import type { GatewayError } from "../../src/plugin-api/errors.ts";

function clock() {
  const c = { t: 1_000_000, now: () => c.t };
  return c;
}

describe("the failure throttle", () => {
  test("an address over the limit stays throttled until its window ends", () => {
    const c = clock();
    const t = createThrottle(3, 60, { now: c.now });
    for (let i = 0; i < 3; i++) t.fail("10.6.6.6");
    c.t += 59_000;
    expect(t.retryAfter("10.6.6.6")).toBe(1);
    c.t += 1_000;
    expect(t.retryAfter("10.6.6.6")).toBe(0);
  });

  test("failures from 10,001 other addresses do not clear a throttled address", () => {
    const c = clock();
    const t = createThrottle(3, 60, { now: c.now, maxTracked: 10_000 });
    for (let i = 0; i < 3; i++) t.fail("10.6.6.6");
    for (let i = 0; i < 10_001; i++) t.fail(`192.168.${i >> 8}.${i & 255}`);
    expect(t.retryAfter("10.6.6.6")).toBe(60);
  });

  test("memory is bounded: expired entries are dropped first, live ones kept", () => {
    const c = clock();
    const t = createThrottle(3, 60, { now: c.now, maxTracked: 100 });
    for (let i = 0; i < 100; i++) t.fail(`old-${i}`);
    c.t += 61_000;
    for (let i = 0; i < 3; i++) t.fail("10.6.6.6");
    for (let i = 0; i < 98; i++) t.fail(`new-${i}`);
    expect(t.size()).toBeLessThanOrEqual(100);
    expect(t.retryAfter("10.6.6.6")).toBe(60);
  });

  test("when every tracked address is still live, new addresses share one budget instead of evicting", () => {
    const c = clock();
    const t = createThrottle(3, 60, { now: c.now, maxTracked: 10 });
    for (let i = 0; i < 10; i++) t.fail(`live-${i}`);
    for (let i = 0; i < 3; i++) t.fail(`flood-${i}`);
    expect(t.size()).toBeLessThanOrEqual(11);
    expect(t.retryAfter("flood-new")).toBeGreaterThan(0);
    expect(t.retryAfter("live-0")).toBe(0);
    c.t += 60_000;
    expect(t.retryAfter("flood-new")).toBe(0);
  });

  test("checks still in flight count against the limit, so a burst cannot outrun it", async () => {
    const t = createThrottle(3, 60, { now: clock().now });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const running = [1, 2, 3].map(() => t.track("10.6.6.6", () => gate));
    expect(t.retryAfter("10.6.6.6")).toBeGreaterThan(0);
    expect(t.retryAfter("10.0.0.2")).toBe(0);
    release();
    await Promise.all(running);
    expect(t.retryAfter("10.6.6.6")).toBe(0);
  });

  test("a request past the limit waits for a check in flight, then runs if it succeeded; waiting is bounded", async () => {
    const t = createThrottle(2, 60, { now: clock().now, maxWaiting: 1 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const never = () => false;
    const running = [1, 2].map(() => t.guard("10.6.6.6", () => gate.then(() => "first"), never));
    const waiting = t.guard("10.6.6.6", async () => "waited", never);
    const refused = await t.guard("10.6.6.6", async () => "too many", never).catch((err: GatewayError) => err.code);
    expect(refused).toBe("RATE_LIMITED");
    release();
    expect(await Promise.all([...running, waiting])).toEqual(["first", "first", "waited"]);
  });
});
