// The faults of the replicas-on-PostgreSQL test (replicas-postgres.test.ts), placed by how far
// its load went, whatever its size: the XMPP server stopped, then started with all but the victim
// paused, and the victim SIGKILLed for good at its first claim on the outbox.
import type { SQL } from "bun";
import { unlessTimedOut, waitFor } from "../../testbed/timeouts.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import type { GatewayProcess } from "../helpers/gateway-process.ts";

export interface FaultPlan {
  /** The replica killed (its index) and its component domain, which its claims carry. */
  victim: number;
  victimDomain: string;
  /** The load's requests. */
  total: number;
  /** A bound on every wait. */
  deadlineMs: number;
}

/**
 * The faults, by how far the load went: at 25 % the server stops; at 50 % the survivors are paused
 * (SIGSTOP), the server starts, and the victim, alone to reconnect, claims the rows queued meanwhile
 * to send them: SIGKILLed for good at its first claim, then the survivors resumed (SIGCONT).
 */
export class ReplicaFaults {
  private step = 0;
  private pending: Promise<void> = Promise.resolve();
  private delivered: Promise<number> = Promise.resolve(0);
  /** Rows the victim had claimed when it died. */
  deadRows = 0;
  /** Requests answered so far. */
  answered = 0;

  constructor(
    private readonly server: XmppServer,
    private readonly replicas: GatewayProcess[],
    private readonly rows: SQL,
    private readonly bobIn: () => Promise<void>,
    private readonly plan: FaultPlan,
  ) {}

  /** Starts the faults due at `share` of the load; resolves once every one started so far is done. */
  before(share: number): Promise<void> {
    const steps: Array<[number, () => Promise<void>]> = [
      [0.25, () => this.server.stopProcess()],
      [0.5, async () => (await this.restartKillingVictim(), await this.bobIn())],
    ];
    for (let due = steps[this.step]; due && share >= due[0]; due = steps[this.step]) {
      this.step++;
      this.pending = this.pending.then(due[1]);
    }
    return this.pending;
  }

  done(): Promise<void> {
    return this.before(1);
  }

  private async restartKillingVictim(): Promise<void> {
    const { victim, total, deadlineMs } = this.plan;
    const survivors = this.replicas.filter((_, n) => n !== victim);
    // Paused with no request in hand: a template render cut by the pause would pass its time
    // limit (templates/liquid.ts) and the request would fail for the pause, not for the store.
    await waitFor(() => this.answered >= Math.ceil(total / 2), deadlineMs, "the requests before the restart to be answered");
    for (const r of survivors) r.proc.kill("SIGSTOP");
    try {
      await this.server.startProcess();
      await this.kill(this.replicas[victim] as GatewayProcess);
    } finally {
      for (const r of survivors) r.proc.kill("SIGCONT");
    }
  }

  private async kill(victim: GatewayProcess): Promise<void> {
    const left = async () => (await this.rows`SELECT count(*)::int AS n FROM outbox WHERE claimed_by = ${this.plan.victimDomain}`)[0].n;
    // Polled: a claim lasts from its peek to its confirmation (a round trip through the server),
    // and the victim's drain starts with one row (xmpp/delivery.ts `probe`); one that sent and
    // confirmed everything between two polls would die holding none, and the test says so.
    await waitFor(async () => (await left()) > 0, 20_000, "the victim to claim rows", undefined, 2).catch(unlessTimedOut);
    await victim.kill("SIGKILL");
    const killedAt = performance.now();
    this.deadRows = await left();
    const gone = waitFor(async () => (await left()) === 0, this.plan.deadlineMs, "the dead replica's rows to be delivered", undefined, 100);
    this.delivered = gone.then(() => (performance.now() - killedAt) / 1000);
  }

  /** Seconds from the kill until no row claimed by the dead replica was left (each sent by another). */
  deadRowsDelivered(): Promise<number> {
    return this.delivered;
  }
}
