// Issue 26 §4: three replicas on ONE PostgreSQL store behind a round-robin balancer
// (testbed/balancer.ts), each with its own component domain, on Prosody and on ejabberd. Under
// load the XMPP server is stopped for a while (every replica queues: 202), started again, and
// the victim replica is SIGKILLed for good at its first claim (the others paused meanwhile, so it
// is the one that claims): the rows it held are delivered by the others once its claim, no longer
// renewed, lapses (`outbox.claim_lease_s`, shortened to LEASE_S here). Every message
// answered 201/202 must reach bob; copies are counted (delivery is at least once: a row sent by
// the dead replica whose ack never reached the store is sent again by a survivor).
// Sized by FAULTS_STORE_REPLICAS_LOAD (sizes.ts): short in the fault tier, 5,000 by hand.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";
import { type Balancer, startBalancer } from "../../testbed/balancer.ts";
import { startEjabberd } from "../../testbed/ejabberd.ts";
import { startProsody } from "../../testbed/prosody.ts";
import { waitFor } from "../../testbed/timeouts.ts";
import { connectClient, type TestClient } from "../../testbed/xmpp-client.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { DeliveryLedger } from "../helpers/delivery-ledger.ts";
import { REPLICA_ROUTES, REPLICA_TOKEN, replicaDomains } from "../helpers/replica-bed.ts";
import { type GatewayProcess, spawnGateway } from "../helpers/gateway-process.ts";
import { runLoad } from "../helpers/load.ts";
import { usePostgresDatabases } from "../helpers/postgres-databases.ts";
import { testServers } from "../helpers/servers.ts";
import { ReplicaFaults } from "./replica-faults.ts";
import { SIZES } from "./sizes.ts";

const REPLICAS = 3;
const VICTIM = 1;
const TOTAL = SIZES.storeReplicas;
const CONCURRENCY = 24;
const LOAD_DEADLINE_MS = 240_000;
/** The claim lease: a dead replica's rows wait this long (the default, 10 s, would be the test's longest wait). */
const LEASE_S = 3;
/** A bound, far past the lease. */
const DELIVERY_DEADLINE_MS = 120_000;
const TOKEN = REPLICA_TOKEN;
const ROUTES = `${REPLICA_ROUTES}outbox: { claim_lease_s: ${LEASE_S} }\n`;
const text = (i: number) => `pg replica load ${i}`;
const domains = replicaDomains(REPLICAS);

const databases = usePostgresDatabases("replicas");
const SERVERS: Record<string, () => Promise<XmppServer>> = {
  prosody: () =>
    startProsody({
      extraModules: ["offline"],
      extraConfig: domains.map((c) => `\nComponent "${c.domain}"\n  component_secret = "${c.secret}"\n`).join(""),
    }),
  ejabberd: () => startEjabberd({ extraComponents: domains }),
};

for (const { name } of testServers()) {
  describe(`${name}: ${REPLICAS} replicas on one PostgreSQL store behind a round-robin balancer`, () => {
    const running: { server?: XmppServer; bob?: TestClient; balancer?: Balancer; replicas: GatewayProcess[] } = { replicas: [] };
    afterAll(async () => {
      await running.bob?.stop();
      await running.balancer?.stop();
      for (const r of running.replicas) if (r.proc.exitCode === null && r.proc.signalCode === null) await r.kill("SIGKILL");
      await running.server?.stop();
    });

    test(`${TOTAL} requests; the server stopped a while; one replica SIGKILLed for good: 0 lost`, async () => {
      const server = (running.server = await (SERVERS[name] as () => Promise<XmppServer>)());
      const url = await databases.fresh();
      const replicaOn = async (c: { domain: string; secret: string }) => {
        const seen = Object.assign(Object.create(server) as XmppServer, { componentDomain: c.domain, componentSecret: c.secret });
        const gw = await spawnGateway(seen, ROUTES, mkdtempSync(join(tmpdir(), "sg-pg-replica-")), { store: url });
        await untilOnline(gw);
        return gw;
      };
      for (const c of domains) running.replicas.push(await replicaOn(c));
      const balancer = (running.balancer = await startBalancer(() => running.replicas.map((r) => r.url)));
      const ledger = new DeliveryLedger();
      const bobIn = async () => {
        await running.bob?.stop();
        running.bob = await connectClient(server, "bob");
        ledger.attach(running.bob);
      };
      await bobIn();
      const rows = new SQL(url);
      const faults = new ReplicaFaults(server, running.replicas, rows, bobIn, {
        victim: VICTIM,
        victimDomain: domains[VICTIM]?.domain ?? "",
        total: TOTAL,
        deadlineMs: DELIVERY_DEADLINE_MS,
      });
      // The server down from 25 % to 50 % of the requests: every replica answers 202 meanwhile.
      const load = await runLoad({
        total: TOTAL,
        concurrency: CONCURRENCY,
        deadlineMs: LOAD_DEADLINE_MS,
        // Request i waits for the faults due before it: they fall at fixed points of the load, whatever its size.
        send: async (i) => {
          await faults.before(i / TOTAL);
          const answer = await fetch(`${balancer.url}/say`, {
            method: "POST",
            headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
            body: JSON.stringify({ text: text(i) }),
          });
          faults.answered++;
          return answer;
        },
      });
      await faults.done();
      const missing = await ledger.waitForAll([...load.accepted].map(text), DELIVERY_DEADLINE_MS);
      console.log(`store replicas ${name}: missing after the load: ${missing.length}`);
      const deadRowsS = await faults.deadRowsDelivered();
      // The outbox empty, then a marker through each survivor: every copy they will send is in.
      const outboxLeft = async () =>
        JSON.stringify(await rows`SELECT claimed_by, count(*)::int AS n, min(seq)::int AS first FROM outbox GROUP BY claimed_by`) +
        JSON.stringify(await Promise.all(running.replicas.filter((_, n) => n !== VICTIM).map(async (r) => (await r.health()).body))) +
        running.replicas
          .map((r) =>
            r
              .stderr()
              .split("\n")
              .filter((l) => /"(warn|error)"/.test(l))
              .slice(-8)
              .join("\n"),
          )
          .join("\n---\n");
      await waitFor(
        async () => (await rows`SELECT count(*)::int AS n FROM outbox`)[0].n === 0,
        DELIVERY_DEADLINE_MS,
        "the outbox to empty",
        outboxLeft,
        100,
      );
      const survivors = running.replicas.filter((_, n) => n !== VICTIM);
      const markers = survivors.map((_, n) => `pg replica marker ${n}`);
      const markerStatuses = await Promise.all(
        survivors.map(
          async (r, n) =>
            (
              await fetch(`${r.url}/say`, {
                method: "POST",
                headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
                body: JSON.stringify({ text: markers[n] }),
              })
            ).status,
        ),
      );
      expect(await ledger.waitForAll(markers, DELIVERY_DEADLINE_MS)).toEqual([]);
      const report = ledger.report(load.accepted, text);
      const other = Object.fromEntries(Object.entries(load.counts).filter(([k]) => k !== "201" && k !== "202"));
      console.log(
        `store replicas ${name}: replicas=${REPLICAS} sent=${load.outcomes.size} 201=${load.counts["201"] ?? 0} 202=${load.counts["202"] ?? 0} other=${JSON.stringify(other)} received=${report.received} lost=${report.lost.length} duplicated=${report.duplicated} handed=${JSON.stringify(balancer.handed)} dead_replica_rows=${faults.deadRows} delivered_after_s=${deadRowsS.toFixed(1)}`,
      );
      for (const [status, sample] of Object.entries(load.samples)) console.log(`store replicas ${name}: first ${status} answer: ${sample}`);
      await rows.close();
      expect(faults.deadRows).toBeGreaterThan(0);
      // 202 too: a survivor whose count still holds others' rows queues behind them (order kept).
      expect(markerStatuses.filter((s) => s !== 201 && s !== 202)).toEqual([]);
      expect(missing.length).toBe(report.lost.length);
      expect(report.lost).toEqual([]);
      expect(load.outcomes.size).toBe(TOTAL);
      expect(load.counts["500"]).toBeUndefined();
    }, 400_000);
  });
}

/** Polls /health (bounded) until the replica's link is up. */
async function untilOnline(gw: GatewayProcess): Promise<void> {
  const up = async () => (await gw.health()).status === 200;
  await waitFor(up, 20_000, "the replica's link to come up", () => gw.stderr().slice(-2000), 50);
}
