// A store that stops answering or goes away (review of issue 26, findings 3, 5 and 7): every
// operation a request waits on is bounded and answered 503 STORE_UNAVAILABLE with a Retry-After,
// and a PostgreSQL store is probed at every health check, so /health says so while nothing writes.
import { describe, expect, test } from "bun:test";
import { silentLogger } from "../../../src/log.ts";
import { GatewayError, errorResponse } from "../../../src/plugin-api/errors.ts";
import { boundedStore } from "../../../src/store/bounded.ts";
import { openStore } from "../../../src/store/db.ts";
import { sqliteStore } from "../../../src/store/sqlite/index.ts";
import { createStoreHealth } from "../../../src/store/store-health.ts";
import type { Store } from "../../../src/store/types.ts";

const never = () => new Promise<never>(() => {});

/** A store whose database host no longer answers (a blackhole): reads, writes and probes wait forever. */
function stalled(): Store {
  const store = sqliteStore(openStore(":memory:"));
  return {
    ...store,
    kind: "postgres",
    outbox: { ...store.outbox, push: never },
    topics: { ...store.topics, read: never },
    keyed: { ...store.keyed, increment: () => Promise.reject(new Error("Failed to connect")) },
    probe: never,
  };
}

async function refusal(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("the operation succeeded");
}

describe("a store operation a request waits on is bounded", () => {
  test("past the bound it is 503 STORE_UNAVAILABLE, with Retry-After, saying the store did not answer", async () => {
    const store = boundedStore(stalled(), 50);
    const err = await refusal(store.outbox.push("<message/>"));
    expect([err.code, err.status, err.headers["Retry-After"]]).toEqual(["STORE_UNAVAILABLE", 503, "10"]);
    expect(err.details.reason).toBe("the store did not answer within 0.05 s (push)");
    expect((await refusal(store.topics.read(["t"], "all", 0, 10))).code).toBe("STORE_UNAVAILABLE");
  });

  test("a driver's error is STORE_UNAVAILABLE too (never a 500), its words kept as the reason", async () => {
    const err = await refusal(boundedStore(stalled(), 50).keyed.increment({ plugin: "p", collection: "c", key: "k" }));
    expect([err.code, err.details.reason]).toEqual(["STORE_UNAVAILABLE", "Failed to connect"]);
    const response = errorResponse(err);
    expect([response.status, response.headers.get("retry-after")]).toEqual([503, "10"]);
    expect(await response.json()).toMatchObject({ code: "STORE_UNAVAILABLE", error: expect.not.stringContaining("local") });
  });

  test("what answers at once is unchanged: synchronous counts, and a store that works", async () => {
    const store = boundedStore(sqliteStore(openStore(":memory:")), 50);
    expect(store.outbox.size()).toBe(0);
    const seq = await store.outbox.push("<message/>");
    expect((await store.outbox.peekAfter(0, 10)).map((r) => r.seq)).toEqual([seq]);
  });
});

describe("/health of a PostgreSQL store", () => {
  test("a database gone while nothing wrote is a fault at the next check, named; it clears once a probe succeeds", async () => {
    let down = true;
    const base = sqliteStore(openStore(":memory:"));
    const store: Store = {
      ...base,
      kind: "postgres",
      probe: async () => (down ? Promise.reject(new Error("Failed to connect")) : undefined),
    };
    const health = createStoreHealth(store, undefined, silentLogger);
    expect(health.fault()).toBeUndefined();
    await health.check();
    expect(health.fault()).toBe("probing the store failed: Failed to connect");
    down = false;
    await health.check();
    expect(health.fault()).toBeUndefined();
  });

  test("a database that does not answer is a fault once the probe's bound passes", async () => {
    const health = createStoreHealth(boundedStore(stalled(), 50), undefined, silentLogger);
    await health.check();
    expect(health.fault()).toBe("probing the store failed: the store did not answer within 0.05 s (probe)");
  });
});
