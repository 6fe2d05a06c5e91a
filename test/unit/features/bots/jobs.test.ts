// A bot's jobs: on a schedule, a bounded check, send: when the condition holds and the value
// changed since the last run (kept in the store), one run of a job at a time, stopped on demand.
// Driven by an injected clock: the test decides when timers fire.
import { describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import { runJob, startJobs, type LastRun } from "../../../../src/features/bots/jobs.ts";
import { createLogger } from "../../../../src/log.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";
import { FAKE_HEAD } from "../../../helpers/fake-gateway.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";
import { fakeClock } from "../../../helpers/fake-clock.ts";

const JOBS = `
bots:
  - jid: house@gateway.localhost
    allow: ["*@localhost"]
    commands: [{ match: '^ping$', reply: pong }]
    jobs:
      - name: pump
        every: 5m
        http: { url: "http://127.0.0.1:8081/pump", timeout_ms: 100 }
        on_change: http.json.state
        when: http.json.state != "ok"
        send:
          - { to: bob@localhost, text: "pump {{ http.json.state }} (was {{ last.value | default: 'unknown' }})" }
      - name: down
        cron: "0 * * * *"
        http: { url: "http://127.0.0.1:8082/health", timeout_ms: 100 }
        when: error
        on_change: error
        send: ['<message to="bob@localhost"><body>health check: {{ error }}</body></message>']
`;

function world(answers: Record<string, () => Promise<Response>>) {
  const bot = loadTestConfig(FAKE_HEAD + JOBS).bots[0]!;
  const sent: Element[] = [];
  const stored = new Map<string, LastRun>();
  const hits: string[] = [];
  const fetch = ((url: string) => (
    hits.push(url), (answers[new URL(url).pathname] ?? (async () => new Response("", { status: 404 })))()
  )) as unknown as typeof globalThis.fetch;
  const deps = {
    deliver: async (el: Element) => void sent.push(el),
    fetch,
    log: createLogger({ level: "error", write: () => {} }),
    last: {
      get: (k: string) => stored.get(k),
      set: (k: string, v: LastRun) => void stored.set(k, v),
      delete: (k: string) => void stored.delete(k),
    },
  };
  return { bot, sent, stored, hits, deps };
}

describe("a bot's jobs", () => {
  test("on_change + when: the alert is sent once, not again while the value stays, again when it changes", async () => {
    let state = "jammed";
    const w = world({ "/pump": async () => Response.json({ state }) });
    const pump = w.bot.jobs[0]!;
    expect(await runJob(w.bot, pump, w.deps)).toBe("sent");
    expect(w.sent[0]?.getChildText("body")).toBe("pump jammed (was unknown)");
    expect(w.sent[0]?.attrs).toMatchObject({ to: "bob@localhost", from: "house@gateway.localhost" });
    expect(await runJob(w.bot, pump, w.deps)).toBe("quiet");
    state = "ok";
    expect(await runJob(w.bot, pump, w.deps)).toBe("quiet");
    state = "dry";
    expect(await runJob(w.bot, pump, w.deps)).toBe("sent");
    expect(w.sent.map((m) => m.getChildText("body"))).toEqual(["pump jammed (was unknown)", "pump dry (was ok)"]);
  });

  test("the last value is the store's: a new start on the same store does not repeat the alert", async () => {
    const w = world({ "/pump": async () => Response.json({ state: "jammed" }) });
    await runJob(w.bot, w.bot.jobs[0]!, w.deps);
    const again = { ...world({ "/pump": async () => Response.json({ state: "jammed" }) }), stored: w.stored };
    const sent: Element[] = [];
    expect(
      await runJob(again.bot, again.bot.jobs[0]!, { ...again.deps, last: w.deps.last, deliver: async (el) => void sent.push(el) }),
    ).toBe("quiet");
    expect(sent).toHaveLength(0);
  });

  test("kept under the same name on every replica (the bot's local part + the job's); one kept by an older version under the JID is read once", async () => {
    const w = world({ "/pump": async () => Response.json({ state: "jammed" }) });
    const pump = w.bot.jobs[0]!;
    // An upgrade from a version that keyed by the bot's JID: the alert it sent is not sent again.
    w.stored.set(`house@gateway.localhost ${pump.name}`, { at: 1, value: "jammed", held: true });
    expect(await runJob(w.bot, pump, w.deps)).toBe("quiet");
    expect([...w.stored.keys()]).toContain(`house@ ${pump.name}`);
    expect(w.sent).toHaveLength(0);
  });

  test("a failing check exposes error: a job can alert on it, once", async () => {
    const w = world({
      "/health": async () => {
        throw new Error("connection refused");
      },
    });
    const down = w.bot.jobs[1]!;
    expect(await runJob(w.bot, down, w.deps)).toBe("sent");
    expect(w.sent[0]?.getChildText("body")).toStartWith("health check: the service cannot be reached");
    expect(await runJob(w.bot, down, w.deps)).toBe("quiet");
  });

  test("every: fires on the period; a run still going is not started twice; stop clears the timers", async () => {
    let release = () => {};
    const w = world({ "/pump": () => new Promise((resolve) => (release = () => resolve(Response.json({ state: "jammed" })))) });
    const c = fakeClock();
    const stop = startJobs([{ ...w.bot, jobs: [w.bot.jobs[0]!] }], { ...w.deps, clock: c.clock });
    c.advance(4 * 60_000);
    expect(w.hits).toHaveLength(0);
    c.advance(60_000);
    expect(w.hits).toHaveLength(1);
    c.advance(5 * 60_000);
    expect(w.hits).toHaveLength(1);
    release();
    await waitFor(() => w.sent.length > 0, 500, "the job's message", undefined, 5);
    expect(w.sent).toHaveLength(1);
    c.advance(5 * 60_000);
    expect(w.hits).toHaveLength(2);
    stop();
    expect(c.timers.size).toBe(0);
  });

  test("across a reload: the new configuration's run waits out the old one's still going, then runs", async () => {
    let release = () => {};
    const w = world({ "/pump": () => new Promise((resolve) => (release = () => resolve(Response.json({ state: "jammed" })))) });
    const c = fakeClock();
    const running = new Set<string>();
    const skipped: string[] = [];
    const metrics = {
      botCommand: () => {},
      botHttpCall: () => {},
      botJob: (_: string, job: string, outcome: string) => void (outcome === "skipped_running" && skipped.push(job)),
    };
    const only = [{ ...w.bot, jobs: [w.bot.jobs[0]!] }];
    const stopOld = startJobs(only, { ...w.deps, clock: c.clock, running, metrics });
    c.advance(5 * 60_000);
    expect(w.hits).toHaveLength(1);
    // The reload: the new generation starts its jobs, then the old one is retired mid-run.
    startJobs(only, { ...w.deps, clock: c.clock, running, metrics });
    stopOld();
    c.advance(5 * 60_000);
    expect(w.hits).toHaveLength(1);
    expect(skipped).toEqual(["pump"]);
    release();
    await waitFor(() => running.size === 0, 500, "the job to finish", undefined, 5);
    expect(running.size).toBe(0);
    c.advance(5 * 60_000);
    expect(w.hits).toHaveLength(2);
    expect(skipped).toEqual(["pump"]);
  });

  test("cron: the next run is the expression's", () => {
    const w = world({});
    const next = w.bot.jobs[1]!.next(new Date(2026, 0, 1, 10, 15).getTime());
    expect(next).toBe(new Date(2026, 0, 1, 11, 0).getTime());
  });

  test("bad jobs are refused at load, each at its place", () => {
    const bad = (from: string, to: string) => () => loadTestConfig(FAKE_HEAD + JOBS.replace(from, to));
    expect(bad("every: 5m", "every: 5m\n        cron: '* * * * *'")).toThrow(/exactly one of every/);
    expect(bad('cron: "0 * * * *"', 'cron: "61 * * * *"')).toThrow(/bad cron expression/);
    expect(bad('cron: "0 * * * *"', 'cron: "* * *"')).toThrow(/expected 5 fields/);
    // Placed at the name in the expression itself (column 20 of "        on_change: match.room").
    expect(bad("on_change: http.json.state", "on_change: match.room")).toThrow(
      /:20 {2}error {2}bots\[0\]\.jobs\[0\]\.on_change {2}bad expression: "match\.room"/,
    );
    expect(bad("name: down", "name: pump")).toThrow(/another job of this bot is named "pump"/);
    expect(bad("every: 5m", "every: 5 minutes")).toThrow(/every/);
  });
});
