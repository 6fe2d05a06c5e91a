// dist/stanzagate is one self-contained file: it runs from an empty directory, with no
// node_modules, and talks to a real server. `make test` builds it before running the tests.
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProsody } from "../../testbed/prosody.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { connectClient, isMessageWithBody } from "../../testbed/xmpp-client.ts";
import { spawnGateway, type GatewayProcess } from "../helpers/gateway-process.ts";
import { waitFor } from "../../testbed/timeouts.ts";

const BIN = join(import.meta.dir, "../../dist/stanzagate");

let prosody: XmppServer | undefined;
let gw: GatewayProcess | undefined;

afterAll(async () => {
  if (gw?.proc.exitCode === null) await gw.kill("SIGKILL");
  await prosody?.stop();
});

describe("the built executable", () => {
  test("exists (run `make build`)", () => {
    expect(existsSync(BIN)).toBe(true);
  });

  test("checks the shipped routes.yaml when copied alone into an empty directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-bin-"));
    copyFileSync(BIN, join(dir, "stanzagate"));
    copyFileSync(join(import.meta.dir, "../../routes.yaml"), join(dir, "routes.yaml"));
    const run = (args: string[]) => Bun.spawnSync([join(dir, "stanzagate"), ...args], { cwd: dir, env: { STANZAGATE_SECRET: "x" } });
    const check = run(["check", "--config", "routes.yaml"]);
    expect(check.stderr.toString()).toBe("");
    expect(check.exitCode).toBe(0);
    expect(run(["--version"]).stdout.toString()).toMatch(/^stanzagate \d+\.\d+\.\d+/);
  });

  test("refuses a pattern that can take exponential time: the regex analysis, loaded on first use, is inside the executable", () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-bin-re-"));
    copyFileSync(BIN, join(dir, "stanzagate"));
    const config = join(dir, "routes.yaml");
    writeFileSync(
      config,
      `xmpp: { server: "xmpp://127.0.0.1:5347", component: gw.localhost, secret: s, host: localhost }
routes:
  - path: /deploy
    body: { version: { type: string, pattern: "^(\\\\d+\\\\.?)+$" }, build: { type: string, pattern: "^\\\\d+(\\\\.\\\\d+)*$" } }
    send: <message to="ops@localhost"><body>{{ body.version }}</body></message>
`,
    );
    const check = Bun.spawnSync([join(dir, "stanzagate"), "check", "--config", config], { cwd: dir, env: {} });
    expect(check.exitCode).toBe(1);
    const lines = check.stderr.toString().trim().split("\n");
    expect(lines[0]).toContain("routes[0].body.version.pattern  `(\\d+\\.?)+` can take exponential time on hostile input");
    expect(lines.slice(1)).toEqual(["1 error — not started"]);
  });

  test("connects to Prosody and delivers a message", async () => {
    prosody = await startProsody();
    const dir = mkdtempSync(join(tmpdir(), "sg-bin-run-"));
    copyFileSync(BIN, join(dir, "stanzagate"));
    process.env.STANZAGATE_BIN = join(dir, "stanzagate");
    try {
      gw = await spawnGateway(
        prosody,
        `
routes:
  - path: /hello
    send: <message to="bob@localhost" type="chat"><body>hello from the binary</body></message>
`,
        dir,
      );
    } finally {
      delete process.env.STANZAGATE_BIN;
    }
    const bob = await connectClient(prosody, "bob");
    await waitFor(
      async () => (await gw!.health()).status === 200,
      10_000,
      "the binary's link to come up",
      () => gw!.stderr(),
      50,
    );
    const res = await fetch(`${gw.url}/hello`, { method: "POST" });
    expect(res.status).toBe(201);
    expect((await bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("hello from the binary");
    await bob.stop();
  });
});
