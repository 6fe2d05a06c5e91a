// A bot job configured on every replica runs once across replicas sharing one PostgreSQL store
// (issue 26 §2): at each run's time every replica asks the store, one is given the run. The
// replicas' timers are driven by clocks the test moves (as in test/unit/features/bots/jobs.test.ts),
// the stores are real: two connections pools to the test bed's PostgreSQL, named as two replicas.
import { afterEach, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import type { Element } from "ltx";
import { type Clock, type JobDeps, type LastRun, startJobs } from "../../../src/features/bots/jobs.ts";
import { pluginStore } from "../../../src/store/plugin-store.ts";
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
const bot = (config = JOB, domain = "gateway.localhost") =>
  loadTestConfig(FAKE_HEAD.replace("gateway.localhost", domain) + config.replace("gateway.localhost", domain)).bots[0]!;
/** A job that tells only when the state it checks changes (`on_change:`). */
const CHANGES = JOB.replace(
  "every: 1s",
  "every: 1s\n        http: { url: http://127.0.0.1:9/pump }\n        on_change: http.json.state",
).replace("text: tick", 'text: "pump {{ http.json.state }}"');

/** One replica's jobs on `store`: what it sent, how many runs it has been answered about, what stops them. */
function replicaJobs(store: Store, clock: Clock, more: Partial<JobDeps> & { config?: string; domain?: string } = {}) {
  const sent: Element[] = [];
  const answered = { runs: 0 };
  const stop = startJobs([bot(more.config, more.domain)], {
    deliver: async (el) => void sent.push(el),
    fetch,
    log: silentLogger,
    last: { get: () => undefined, set: () => {}, delete: () => {} },
    clock,
    claim: (key, at, gap) => store.jobs.claim(key, at, gap).finally(() => answered.runs++),
    ...more,
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

  test("three replicas, each its own component domain (house@r0, house@r1, house@r2): one message per period, not three", async () => {
    const url = await databases.fresh();
    const domains = ["r0.localhost", "r1.localhost", "r2.localhost"];
    const clocks = domains.map((_, i) => fakeClock(1_000_000 + i * 100));
    const replicas = await Promise.all(domains.map(async (d, i) => replicaJobs(await open(url, d), clocks[i]!.clock, { domain: d })));
    expect(replicas.map((r) => r.sent.length)).toEqual([0, 0, 0]);
    for (let run = 1; run <= 4; run++) {
      for (const c of clocks) c.advance(1_000);
      await waitFor(() => replicas.every((r) => r.answered.runs === run), 5_000, `the three replicas to ask for run ${run}`);
    }
    for (const r of replicas) r.stop();
    // Keyed by the bot's JID, each replica was given each run: 12 ticks, 3 per period.
    expect(replicas.reduce((n, r) => n + r.sent.length, 0)).toBe(4);
    const rows = new SQL(url);
    expect(await rows`SELECT job FROM job_runs`).toEqual([{ job: "house@ tick" }]);
    await rows.close();
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

  test("on_change across two replicas: one message per change of the state, whichever replica runs each run", async () => {
    const url = await databases.fresh();
    const [a, b] = [await open(url, "a.gw.localhost"), await open(url, "b.gw.localhost")];
    // b hears nothing of a's writes (as while its listener reconnects): only the read at its claims tells it a's last run.
    const deaf: Store = { ...b, keyed: { ...b.keyed, follow: async () => () => {} } };
    const states = ["up", "up", "down", "down", "down", "up", "up", "down"];
    let checks = 0;
    const pump = (async () => Response.json({ state: states[checks++] })) as unknown as typeof fetch;
    const replica = async (store: Store, clock: Clock) => {
      const last = (await pluginStore(store, "(bots)")).keyed<LastRun>("jobs");
      return replicaJobs(store, clock, { config: CHANGES, fetch: pump, last, fresh: (key) => last.fresh(key) });
    };
    const [ca, cb] = [fakeClock(1_000_000), fakeClock(1_000_200)];
    const [ja, jb] = [await replica(a, ca.clock), await replica(deaf, cb.clock)];
    const lastRunAt = async () => {
      const row = await a.keyed.read({ plugin: "(bots)", collection: "jobs", key: "house@ tick" });
      return row ? (JSON.parse(row.json) as LastRun).at : 0;
    };
    // The replicas take turns: the one whose clock moves first claims the run, the other is refused it.
    for (let run = 1; run <= states.length; run++) {
      const [first, second] = run % 2 ? [ca, cb] : [cb, ca];
      first.advance(1_000);
      // The run is over once the store holds it (its time is that of the replica that ran it).
      await waitFor(async () => (await lastRunAt()) >= 1_000_000 + run * 1_000, 5_000, `run ${run} to be kept`);
      second.advance(1_000);
      await waitFor(() => ja.answered.runs === run && jb.answered.runs === run, 5_000, `both replicas to ask for run ${run}`);
    }
    ja.stop();
    jb.stop();
    const told = [...ja.sent, ...jb.sent].map((m) => m.getChildText("body"));
    // up (a), up (b: quiet), down (a), down (b: quiet), down (a: quiet), up (b), up (a: quiet), down (b).
    expect(told.sort()).toEqual(["pump down", "pump down", "pump up", "pump up"]);
    expect(jb.sent.length).toBe(2);
    expect(checks).toBe(states.length);
  });

  test("a gateway on the store claims its job's runs under its component address", async () => {
    const url = await databases.fresh();
    gw = await fakeGateway(JOB, { store: url });
    await waitFor(() => gw?.stanzas().some((s) => s.getChildText("body") === "tick"), 15_000, "the job's first tick");
    const rows = new SQL(url);
    expect(await rows`SELECT job, replica FROM job_runs`).toEqual([{ job: "house@ tick", replica: "gateway.localhost" }]);
    await rows.close();
  });
});
