/**
 * The built gateway as the benchmark runs it: dist/stanzagate on a generated routes.yaml. `bin`
 * may be a whole command (the profiler runs the sources under `bun --cpu-prof`).
 */
import { mkdtempSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { unlessTimedOut, waitFor } from "../../testbed/timeouts.ts";

/** The build measured: dist/stanzagate, or BENCH_BIN (an older build, to compare). */
export const BIN = process.env.BENCH_BIN ?? join(import.meta.dir, "../../dist/stanzagate");

export interface BenchGateway {
  url: string;
  proc: Subprocess;
  dir: string;
  /** ms from spawn to /health answering 200 (component online). */
  startup_ms: number;
  stop(): Promise<void>;
}

export function binarySizeMb(bin = BIN): number {
  return Math.round(statSync(bin).size / 104857.6) / 10;
}

export async function startBenchGateway(
  prosody: XmppServer,
  port: number,
  routes: string,
  dir = mkdtempSync(join(tmpdir(), "sg-bench-")),
  bin: string | string[] = BIN,
  env: Record<string, string> = {},
  /** More keys of the http: section, one per line (the files probe's public_url). */
  httpKeys: readonly string[] = [],
  /** The store: a SQLite file in `dir` unless a PostgreSQL URL is given (the replicas probe). */
  store = join(dir, "stanzagate.db"),
): Promise<BenchGateway> {
  const config = `xmpp:
  server: xmpp://127.0.0.1:${prosody.componentPort}
  component: ${prosody.componentDomain}
  secret: "${prosody.componentSecret}"
  host: ${prosody.host}
  reconnect: { initial_ms: 50, max_ms: 250 }
http:
  listen: 127.0.0.1:${port}
${httpKeys.map((k) => `  ${k}\n`).join("")}store: "${store}"
outbox: { max_stanzas: 50000 }
log: { level: warn }
auth_throttle: { max_failures: 1000000, window_s: 1 }
${routes}`;
  writeFileSync(join(dir, "routes.yaml"), config);
  const t0 = performance.now();
  const proc = Bun.spawn([...[bin].flat(), "--config", join(dir, "routes.yaml")], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdout: "ignore",
    stderr: Bun.file(join(dir, "stanzagate.log")),
  });
  const url = `http://127.0.0.1:${port}`;
  const online = async () => {
    if (
      (await fetch(`${url}/health`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      return true;
    if (proc.exitCode !== null) throw new Error(`gateway exited; see ${join(dir, "stanzagate.log")}`);
    return false;
  };
  // Every 2 ms: the wait is the start-up time measured. Past 10 s the run goes on and reports it.
  await waitFor(online, 10_000, "the gateway to come online", undefined, 2).catch(unlessTimedOut);
  const startup_ms = Math.round(performance.now() - t0);
  return {
    url,
    proc,
    dir,
    startup_ms,
    async stop() {
      proc.kill("SIGTERM");
      await Promise.race([proc.exited, Bun.sleep(5_000)]);
      if (proc.exitCode === null) proc.kill("SIGKILL");
    },
  };
}
