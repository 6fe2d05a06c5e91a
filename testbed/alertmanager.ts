// A real Prometheus Alertmanager (Debian's prometheus-alertmanager, 0.25) for the tests of the
// formats it sends (Slack, Discord, webhook): started with its own config, storage and free
// loopback ports, never as the system service, and stopped by pid. Clustering is off
// (--cluster.listen-address=""), so it binds nothing but its web port.
//
//   const am = await startAlertmanager(`- name: gw\n  slack_configs: [{ api_url: "${url}" }]`);
//   await am.postAlert({ labels: { alertname: "DiskFull" } });
//   expect(await am.metric("alertmanager_notifications_failed_total", { integration: "slack" })).toBe(0);
import { mkdtempSync, openSync, closeSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { parse } from "yaml";
import { registerForCleanup, removeDir, trackProcess, forgetProcess, watchRunner } from "./cleanup.ts";
import { freePort } from "./ports.ts";
import { settlesWithin, waitFor } from "./timeouts.ts";

const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

export interface TestAlertmanager {
  /** http://127.0.0.1:PORT */
  url: string;
  /** POST /api/v2/alerts with one alert (labels, annotations, generatorURL…): it is firing from now. */
  postAlert(alert: Record<string, unknown>): Promise<void>;
  /** The sum of a counter of its /metrics over the series whose labels include `labels`. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** Its log so far (stderr), for the message of a failed wait. */
  log(): string;
  stop(): Promise<void>;
}

export interface AlertmanagerOptions {
  /** The route's receiver (default: the first of `receivers`). */
  receiver?: string;
  /** More of the top-level route (group_by, intervals); the defaults notify at once. */
  route?: Record<string, unknown>;
}

/** `receivers` is the YAML of the config's receivers: list, as Alertmanager's docs write it. */
export async function startAlertmanager(receivers: string, options: AlertmanagerOptions = {}): Promise<TestAlertmanager> {
  const binary = Bun.which("prometheus-alertmanager", { PATH: process.env.PATH ?? "" }) ?? Bun.which("alertmanager");
  if (!binary) throw new Error("Alertmanager is not installed: apt-get install prometheus-alertmanager (make test installs it)");
  const dir = mkdtempSync(join(tmpdir(), "sg-alertmanager-"));
  registerForCleanup(dir);
  const list = parse(receivers) as Array<{ name: string }>;
  const receiver = options.receiver ?? list[0]?.name;
  const route = { receiver, group_by: ["alertname"], group_wait: "0s", group_interval: "1s", repeat_interval: "4h", ...options.route };
  await Bun.write(join(dir, "alertmanager.yml"), JSON.stringify({ route, receivers: list }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(binary, dir, port);
  const am: TestAlertmanager = {
    url,
    postAlert: (alert) => postAlert(url, alert),
    metric: (name, labels) => metric(url, name, labels ?? {}),
    log: () => readFileSync(join(dir, "alertmanager.log"), "utf8"),
    stop: () => stop(proc, dir),
  };
  try {
    await waitFor(() => ready(proc, url), READY_TIMEOUT_MS, "Alertmanager to answer /-/ready", am.log);
  } catch (err) {
    await am.stop();
    throw err;
  }
  return am;
}

function spawn(binary: string, dir: string, port: number): Subprocess {
  const out = openSync(join(dir, "alertmanager.log"), "a");
  try {
    const proc = Bun.spawn(
      [
        binary,
        `--config.file=${join(dir, "alertmanager.yml")}`,
        `--storage.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--cluster.listen-address=",
        "--log.level=debug",
      ],
      { cwd: dir, stdin: "ignore", stdout: out, stderr: out },
    );
    trackProcess(proc);
    watchRunner(proc.pid);
    return proc;
  } finally {
    closeSync(out);
  }
}

async function ready(proc: Subprocess, url: string): Promise<boolean> {
  if (proc.exitCode !== null || proc.signalCode !== null)
    throw new Error(`Alertmanager exited during startup (${proc.exitCode ?? proc.signalCode})`);
  const res = await fetch(`${url}/-/ready`).catch(() => undefined);
  return res?.status === 200;
}

async function postAlert(url: string, alert: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${url}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify([alert]),
  });
  if (res.status !== 200) throw new Error(`Alertmanager refused the alert: ${res.status} ${await res.text()}`);
}

/** Prometheus text format: `name{a="b",c="d"} 1` or `name 1`. */
async function metric(url: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const series = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => series[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

async function stop(proc: Subprocess, dir: string): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill("SIGTERM");
    if (!(await settlesWithin(proc.exited, STOP_GRACE_MS))) {
      proc.kill("SIGKILL");
      await proc.exited;
    }
  }
  forgetProcess(proc);
  await removeDir(dir);
}
