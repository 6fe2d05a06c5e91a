// `stanzagate outbox list` as an operator runs it next to a service: from any directory, with the
// config's path alone and none of the service's environment. The real executable (dist/stanzagate,
// `make build`) both serves and lists, so the two agree on where a relative `store:` is.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { freePort } from "../../testbed/ports.ts";
import { waitFor } from "../../testbed/timeouts.ts";

const BIN = process.env.STANZAGATE_BIN ?? join(import.meta.dir, "../../dist/stanzagate");
const SERVING_TIMEOUT_MS = 10_000;

/** /etc/stanzagate and /var/lib/stanzagate of a service, and an operator's home elsewhere. */
const root = mkdtempSync(join(tmpdir(), "sg-outbox-cli-"));
const [etc, serviceCwd, operatorCwd] = ["etc", "service", "operator"].map((d) => join(root, d)) as [string, string, string];
for (const dir of [join(etc, "state"), serviceCwd, operatorCwd]) mkdirSync(dir, { recursive: true });
const config = join(etc, "routes.yaml");

let gateway: Subprocess<"ignore", "ignore", "pipe"> | undefined;
afterAll(async () => {
  gateway?.kill("SIGKILL");
  await gateway?.exited;
});

async function waitServing(proc: Subprocess<"ignore", "ignore", "pipe">, url: string): Promise<void> {
  const serving = async () => {
    if (
      await fetch(`${url}/healthz`).then(
        () => true,
        () => false,
      )
    )
      return true;
    if (proc.exitCode !== null) throw new Error(`the gateway exited ${proc.exitCode}: ${await new Response(proc.stderr).text()}`);
    return false;
  };
  await waitFor(serving, SERVING_TIMEOUT_MS, "the gateway to serve HTTP", undefined, 25);
}

describe("stanzagate outbox list --config FILE", () => {
  test("reads the store the gateway writes, relative to the config file, without the component secret", async () => {
    const port = await freePort();
    // No XMPP server listens on port 1: the message waits in the outbox.
    writeFileSync(
      config,
      `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: "\${STANZAGATE_SECRET}", host: localhost }
http: { listen: "127.0.0.1:${port}" }
store: state/stanzagate.db
routes:
  - path: /hello
    send: <message to="bob@localhost" type="chat"><body>queued</body></message>
`,
    );
    gateway = Bun.spawn([BIN, "--config", config], {
      cwd: serviceCwd,
      env: { STANZAGATE_SECRET: "s3cret" },
      stdin: "ignore",
      stdout: "ignore",
      stderr: "pipe",
    });
    const url = `http://127.0.0.1:${port}`;
    await waitServing(gateway, url);
    expect((await fetch(`${url}/hello`, { method: "POST" })).status).toBe(202);
    expect(existsSync(join(etc, "state/stanzagate.db"))).toBe(true);
    expect(existsSync(join(serviceCwd, "state"))).toBe(false);

    const list = Bun.spawnSync([BIN, "outbox", "list", "--config", config], { cwd: operatorCwd, env: {} });
    expect({ code: list.exitCode, err: list.stderr.toString(), out: list.stdout.toString() }).toEqual({
      code: 0,
      err: "",
      out: "queued: 1\ndead letters: 0\n",
    });
  });

  test("says which variable is missing when the store's own path needs it", () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-outbox-var-"));
    const file = join(dir, "routes.yaml");
    writeFileSync(
      file,
      `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: "\${STANZAGATE_SECRET}", host: localhost }
store: \${STATE_DIR}/stanzagate.db
`,
    );
    const list = Bun.spawnSync([BIN, "outbox", "list", "--config", file], { cwd: dir, env: {} });
    expect({ code: list.exitCode, err: list.stderr.toString() }).toEqual({
      code: 1,
      err: `${file}: store: the environment variable STATE_DIR is not set\n`,
    });
  });
});
