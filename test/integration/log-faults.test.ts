// Logs that cannot be written (a full disk, a reader that went away) cost log lines, never the
// process: requests are still served and messages still delivered.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, openSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { configHead } from "../helpers/gateway.ts";
import { freePort } from "../../testbed/ports.ts";
import { startProsody } from "../../testbed/prosody.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { connectClient, messageWithBody, type TestClient } from "../../testbed/xmpp-client.ts";
import { waitFor } from "../../testbed/timeouts.ts";

const TOKEN = "faults-token-0123456789";
const ROOT = join(import.meta.dir, "../..");
const ROUTES = `auth:\n  app: { kind: bearer, tokens: [{ token: ${TOKEN}, name: app }] }\nroutes:\n  - name: say\n    path: /say\n    auth: app\n    send: '<message to="bob@localhost" type="chat"><body>{{ body.text }}</body></message>'\n`;

let prosody: XmppServer;
let bob: TestClient;
const procs: Subprocess[] = [];

beforeAll(async () => {
  prosody = await startProsody();
  bob = await connectClient(prosody, "bob");
});

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
  await bob?.stop();
  await prosody?.stop();
});

/** Starts the gateway with the given stderr; resolves with its URL once /health says online. */
async function start(stderr: number | "closed pipe"): Promise<{ url: string; proc: Subprocess }> {
  const dir = mkdtempSync(join(tmpdir(), "sg-logfault-"));
  const port = await freePort();
  writeFileSync(
    join(dir, "routes.yaml"),
    configHead(prosody, join(dir, "s.db")).replace("listen: 127.0.0.1:0", `listen: 127.0.0.1:${port}`) + ROUTES,
  );
  const cmd = process.env.STANZAGATE_BIN ? [process.env.STANZAGATE_BIN] : [process.execPath, join(ROOT, "src/main.ts")];
  const args = [...cmd, "--config", join(dir, "routes.yaml")];
  // A closed pipe: bash points stderr at a reader that has already exited, then becomes the gateway.
  const proc =
    stderr === "closed pipe"
      ? Bun.spawn(["bash", "-c", 'exec 2> >(true); wait $!; exec "$@"', "bash", ...args], { cwd: dir, stdout: "ignore" })
      : Bun.spawn(args, { cwd: dir, stdout: "ignore", stderr });
  procs.push(proc);
  const url = `http://127.0.0.1:${port}`;
  const lastHealth = () =>
    fetch(`${url}/health`).then(
      (r) => r.text(),
      (e: Error) => e.message,
    );
  const online = async () => {
    if (
      (await fetch(`${url}/health`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      return true;
    if (proc.exitCode !== null) throw new Error(`gateway exited ${proc.exitCode}; /health ${await lastHealth()}`);
    return false;
  };
  await waitFor(online, 10_000, "the gateway to come online", async () => `/health ${await lastHealth()}`, 25);
  return { url, proc };
}

async function serves(url: string, text: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${url}/say`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "text/plain" },
      body: `${text} ${i}`,
    });
    expect(res.status).toBe(201);
  }
  await bob.nextStanza(messageWithBody(`${text} 19`));
  expect((await fetch(`${url}/nowhere`)).status).toBe(404);
  expect((await fetch(`${url}/health`)).status).toBe(200);
}

describe("when stderr cannot be written", () => {
  test("stderr on a full disk (/dev/full): the gateway serves and delivers", async () => {
    const { url, proc } = await start(openSync("/dev/full", "w"));
    await serves(url, "disk full");
    expect(proc.exitCode).toBeNull();
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  });

  test("stderr a pipe whose reader closed it: the gateway serves and delivers", async () => {
    const { url, proc } = await start("closed pipe");
    await serves(url, "pipe closed");
    expect(proc.exitCode).toBeNull();
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  });
});
