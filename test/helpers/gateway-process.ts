// Stanzagate as a separate process (`bun src/main.ts`), for what an in-process gateway cannot
// show: SIGKILL and restart, SIGTERM shutdown, the CLI's exit codes.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { configHead } from "./gateway.ts";
import { freePort } from "../../testbed/ports.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { waitFor } from "../../testbed/timeouts.ts";

const READY_TIMEOUT_MS = 10_000;
const ROOT = join(import.meta.dir, "../..");

export interface GatewayProcess {
  url: string;
  dir: string;
  proc: Subprocess;
  /** Parsed JSON log lines read so far from stderr. */
  stderr(): string;
  health(): Promise<{ status: number; body: Record<string, unknown> }>;
  kill(signal: "SIGKILL" | "SIGTERM"): Promise<number>;
}

export interface SpawnOptions {
  /** The HTTP port (default: a free one). */
  port?: number;
  /** The executable and its leading arguments (default: $STANZAGATE_BIN, else `bun src/main.ts`). */
  command?: string[];
  /** How long it may take to answer /health at all (default 10 s; an emulated CPU needs more). */
  readyTimeoutMs?: number;
  /** The store: `postgres://…` for replicas sharing one (default: a SQLite file in `dir`). */
  store?: string;
}

/** Writes routes.yaml (with a sqlite file store in a temp dir) and starts the gateway on it. */
export async function spawnGateway(
  prosody: XmppServer,
  routes: string,
  dir = mkdtempSync(join(tmpdir(), "sg-gw-")),
  opts: SpawnOptions = {},
): Promise<GatewayProcess> {
  const port = opts.port ?? (await freePort());
  const text =
    configHead(prosody, opts.store ?? join(dir, "stanzagate.db")).replace("listen: 127.0.0.1:0", `listen: 127.0.0.1:${port}`) + routes;
  writeFileSync(join(dir, "routes.yaml"), text);
  const cmd = opts.command ?? (process.env.STANZAGATE_BIN ? [process.env.STANZAGATE_BIN] : [process.execPath, join(ROOT, "src/main.ts")]);
  const proc = Bun.spawn([...cmd, "--config", join(dir, "routes.yaml")], { cwd: dir, stdout: "ignore", stderr: "pipe" });
  let err = "";
  void (async () => {
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) err += new TextDecoder().decode(chunk);
  })();
  const url = `http://127.0.0.1:${port}`;
  const gw: GatewayProcess = {
    url,
    dir,
    proc,
    stderr: () => err,
    async health() {
      const res = await fetch(`${url}/health`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async kill(signal) {
      proc.kill(signal);
      return await proc.exited;
    },
  };
  await waitServing(gw, opts.readyTimeoutMs ?? READY_TIMEOUT_MS);
  return gw;
}

async function waitServing(gw: GatewayProcess, timeoutMs: number): Promise<void> {
  const serving = () => {
    if (gw.proc.exitCode !== null) throw new Error(`gateway exited with ${gw.proc.exitCode}:\n${gw.stderr()}`);
    return gw.health().then(
      () => true,
      () => false,
    );
  };
  try {
    await waitFor(serving, timeoutMs, "the gateway to serve HTTP", () => gw.stderr(), 25);
  } catch (err) {
    if (gw.proc.exitCode === null) gw.proc.kill("SIGKILL");
    throw err;
  }
}
