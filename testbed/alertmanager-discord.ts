// A real Prometheus Alertmanager (Debian's prometheus-alertmanager, 0.25) for the tests: started
// with its own config, storage and a free loopback port, clustering off, stopped by its pid. The
// test posts an alert to its API (v2) and reads its own counters from /metrics. A minimal starter
// for the discord format's test; testbed/alertmanager.ts (the slack format's) is meant to replace it.
import { mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forgetProcess, registerForCleanup, removeDir, trackProcess } from "./cleanup.ts";
import { freePort } from "./ports.ts";
import { waitFor } from "./timeouts.ts";

const BINARY = "/usr/bin/prometheus-alertmanager";
const READY_TIMEOUT_MS = 20_000;

/**
 * Alertmanager under a watchdog shell: `bun test` runs no exit handler and a SIGKILLed runner runs
 * nothing, so the shell checks every second that the runner ($PARENT) is alive and stops
 * Alertmanager when it is not (as Prosody's watchdog module does, prosody-watchdog.ts). SIGTERM to
 * the shell stops Alertmanager and waits for it.
 */
const WATCHDOG = `"$0" "$@" & am=$!
trap 'kill $am 2>/dev/null; wait $am; exit 0' TERM INT
while kill -0 "$PARENT" 2>/dev/null && kill -0 $am 2>/dev/null; do sleep 1 & wait $!; done
kill $am 2>/dev/null; wait $am`;

export interface Alertmanager {
  /** http://127.0.0.1:<port> */
  url: string;
  /** POST /api/v2/alerts: one alert, firing (no endsAt) or resolved (endsAt in the past). */
  postAlert(labels: Record<string, string>, annotations: Record<string, string>, endsAt?: Date): Promise<void>;
  /** The sum of a counter over its series whose labels include `labels` (0 when absent). */
  counter(name: string, labels: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

/**
 * `receiver` is the YAML of one receiver named `gw` (its *_configs keys, indented by four
 * spaces). Alerts are grouped by name and sent at once (group_wait 0s), again a second later
 * when they change (a resolved alert).
 */
export async function startAlertmanager(receiver: string): Promise<Alertmanager> {
  const dir = mkdtempSync(join(tmpdir(), "stanzagate-alertmanager-"));
  registerForCleanup(dir);
  const port = await freePort();
  const config = join(dir, "alertmanager.yml");
  writeFileSync(
    config,
    [
      "route:",
      "  receiver: gw",
      "  group_by: [alertname]",
      "  group_wait: 0s",
      "  group_interval: 1s",
      "  repeat_interval: 1h",
      "receivers:",
      "  - name: gw",
      receiver,
      "",
    ].join("\n"),
  );
  const log = join(dir, "alertmanager.log");
  const args = [
    `--config.file=${config}`,
    `--storage.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--cluster.listen-address=",
    "--log.level=debug",
  ];
  const proc = Bun.spawn(["sh", "-c", WATCHDOG, BINARY, ...args], {
    cwd: dir,
    env: { ...process.env, PARENT: String(process.pid) },
    stdin: "ignore",
    stdout: Bun.file(log),
    stderr: Bun.file(log),
  });
  trackProcess(proc);
  const url = `http://127.0.0.1:${port}`;
  const logTail = async () => `--- alertmanager log ---\n${(await readFile(log, "utf8").catch(() => "")).slice(-4000)}`;
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`alertmanager exited (code ${proc.exitCode})\n${await logTail()}`);
      return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok;
    },
    READY_TIMEOUT_MS,
    "Alertmanager to be ready",
    logTail,
  );
  return {
    url,
    async postAlert(labels, annotations, endsAt) {
      const alert = {
        labels,
        annotations,
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        ...(endsAt ? { endsAt: endsAt.toISOString() } : {}),
      };
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify([alert]),
      });
      if (!res.ok) throw new Error(`Alertmanager refused the alert: ${res.status} ${await res.text()}`);
    },
    async counter(name, labels) {
      const text = await (await fetch(`${url}/metrics`)).text();
      return text
        .split("\n")
        .filter((line) => line.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
        .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
    },
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      forgetProcess(proc);
      await removeDir(dir);
    },
  };
}
