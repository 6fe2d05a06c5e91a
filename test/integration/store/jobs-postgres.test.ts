// A bot job configured on every replica runs once across replicas sharing one PostgreSQL store
// (issue 26 §2): at each run's time every replica asks the store, one is given the run. The
// replicas' timers are driven by clocks the test moves (as in test/unit/features/bots/jobs.test.ts),
// the stores are real: two connections pools to the test bed's PostgreSQL, named as two replicas.
import { afterEach, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import type { Element } from "ltx";
import { startJobs, type Clock } from "../../../src/features/bots/jobs.ts";
import { silentLogger } from "../../../src/log.ts";
import { postgresStore } from "../../../src/store/postgres/index.ts";
import type { Store } from "../../../src/store/types.ts";
import { waitFor } from "../../../testbed/timeouts.ts";
import { fakeClock } from "../../helpers/fake-clock.ts";
import { type FakeGateway, FAKE_HEAD, fakeGateway } from "../../helpers/fake-gateway.ts";
import { loadTestConfig } from "../../helpers/gateway.ts";
import { usePostgresDatabases } from "../../helpers/postgres-databases.ts";

const JOB = `
bots:
  - jid: house@gateway.localhost
    allow: ["*@localhost"]
    commands: [{ match: '^ping$', reply: pong }]
    jobs:
      - name: tick
        every: 1s
        send: [{ to: bob@localhost, text: tick }]
`;
const bot = () => loadTestConfig(FAKE_HEAD + JOB).bots[0]!;

/** One replica's jobs on `store`: what it sent, how many runs it has been answered about, what stops them. */
function replicaJobs(store: Store, clock: Clock) {
  const sent: Element[] = [];
  const answered = { runs: 0 };
  const stop = startJobs([bot()], {
    deliver: async (el) => void sent.push(el),
    fetch,
    log: silentLogger,
    last: { get: () => undefined, set: () => {}, delete: () => {} },
    clock,
    claim: (key, at, gap) => store.jobs.claim(key, at, gap).finally(() => answered.runs++),
  });
  return { sent, answered, stop };
}

const databases = usePostgresDatabases("jobs");
const opened: Store[] = [];
const open = async (url: string, replica: string) => {
  const store = await postgresStore(url, { replica, max: 2 });
  opened.push(store);
  return store;
};
let gw: FakeGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
  for (const s of opened.splice(0)) await s.close();
});

describe("bot jobs on replicas sharing one PostgreSQL store", () => {
  test("two replicas, clocks 200 ms apart: each run of the job happens once; the survivor runs them all when one stops", async () => {
    const url = await databases.fresh();
    const [a, b] = [await open(url, "a.gw.localhost"), await open(url, "b.gw.localhost")];
    const [ca, cb] = [fakeClock(1_000_000), fakeClock(1_000_200)];
    const [ja, jb] = [replicaJobs(a, ca.clock), replicaJobs(b, cb.clock)];
    const total = () => ja.sent.length + jb.sent.length;
    for (let run = 1; run <= 5; run++) {
      ca.advance(1_000);
      cb.advance(1_000);
      // Both replicas answered (a run still being decided would make the next one "still running").
      await waitFor(() => ja.answered.runs === run && jb.answered.runs === run, 5_000, `both replicas to ask for run ${run}`);
      await waitFor(() => total() === run, 5_000, `run ${run} to be sent by one replica`);
    }
    ja.stop();
    for (let run = 6; run <= 8; run++) {
      cb.advance(1_000);
      await waitFor(() => total() === run, 5_000, `run ${run} to be sent by the survivor`);
    }
    jb.stop();
    // Both asked for every run while both ran: had both run one, it would have sent two ticks.
    expect(total()).toBe(8);
    expect(jb.sent.length).toBeGreaterThanOrEqual(3);
  });

  test("replicas asking for the same run at once: one of them is given it", async () => {
    const url = await databases.fresh();
    const stores = await Promise.all(["a", "b", "c"].map((r) => open(url, `${r}.gw.localhost`)));
    const given = await Promise.all(stores.map((s) => s.jobs.claim("house@gateway.localhost tick", 5_000, 500)));
    expect(given.filter(Boolean)).toHaveLength(1);
    // The next period is given again, once; a run within the gap is not.
    expect(await Promise.all(stores.map((s) => s.jobs.claim("house@gateway.localhost tick", 5_400, 500)))).toEqual([false, false, false]);
    const next = await Promise.all(stores.map((s) => s.jobs.claim("house@gateway.localhost tick", 6_000, 500)));
    expect(next.filter(Boolean)).toHaveLength(1);
  });

  test("a gateway on the store claims its job's runs under its component address", async () => {
    const url = await databases.fresh();
    gw = await fakeGateway(JOB, { store: url });
    await waitFor(() => gw?.stanzas().some((s) => s.getChildText("body") === "tick"), 15_000, "the job's first tick");
    const rows = new SQL(url);
    expect(await rows`SELECT job, replica FROM job_runs`).toEqual([{ job: "house@gateway.localhost tick", replica: "gateway.localhost" }]);
    await rows.close();
  });
});
