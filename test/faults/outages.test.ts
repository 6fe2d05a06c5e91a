// Issue 10, "What must exist" 6: faults under load lose nothing that was answered 201/202.
//   A  the gateway is SIGKILLed and restarted on the same store
//   B  Prosody is stopped (SIGTERM) and started again
//   C  Prosody is SIGKILLed and started again
// Each prints one line of counts (requests, statuses, received, lost, duplicated).
// Bob's server keeps messages for him while he is offline (mod_offline), so what the gateway hands
// to the server during his reconnect still reaches him, as it would reach a real user.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProsody } from "../../testbed/prosody.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { connectClient, type TestClient } from "../../testbed/xmpp-client.ts";
import { spawnGateway, type GatewayProcess } from "../helpers/gateway-process.ts";
import { DeliveryLedger } from "../helpers/delivery-ledger.ts";
import { runScenario } from "./outage-scenario.ts";
import { waitFor } from "../../testbed/timeouts.ts";

const TOKEN = "faults-app-token-0123456789";
const ROUTES = `
auth:
  app:
    kind: bearer
    tokens: [{ name: app, token: "${TOKEN}", jid: alice@localhost }]
routes:
  - path: /say
    auth: app
    body: { text: string }
    send: <message to="bob@localhost" type="chat"><body>{{ body.text }}</body></message>
  - plugin: post_msg
    auth: app
`;
const SCENARIO_TIMEOUT_MS = 240_000;

const say = (url: string, text: string) =>
  fetch(`${url}/say`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ text }),
  });
const postMsg = (url: string, text: string) =>
  fetch(`${url}/msg/bob`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "text/plain" }, body: text });

let prosody: XmppServer;
const clients: TestClient[] = [];
const gateways: GatewayProcess[] = [];

beforeAll(async () => {
  prosody = await startProsody({ extraModules: ["offline"] });
}, 30_000);

// One component connection at a time: the server refuses a second one for the same domain.
afterEach(async () => {
  for (const c of clients.splice(0)) await c.stop();
  for (const g of gateways.splice(0)) if (g.proc.exitCode === null && g.proc.signalCode === null) await g.kill("SIGKILL");
});

afterAll(async () => {
  await prosody?.stop();
});

async function bobListening(ledger: DeliveryLedger): Promise<void> {
  const bob = await connectClient(prosody, "bob");
  clients.push(bob);
  ledger.attach(bob);
}

async function gatewayOn(dir: string): Promise<GatewayProcess> {
  const gw = await spawnGateway(prosody, ROUTES, dir);
  gateways.push(gw);
  await untilOnline(gw);
  return gw;
}

/** Polls /health (bounded): the load starts on a gateway whose link is up. */
async function untilOnline(gw: GatewayProcess): Promise<void> {
  const up = async () => (await gw.health()).status === 200;
  await waitFor(up, 15_000, "the gateway's link to come up", () => gw.stderr().slice(-2000), 50);
}

describe("under load, nothing answered 201/202 is lost", () => {
  test(
    "A: SIGKILL of the gateway, restarted on the same store",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "sg-faults-a-"));
      const ledger = new DeliveryLedger();
      await bobListening(ledger);
      let gw = await gatewayOn(dir);
      const { report } = await runScenario({
        name: "A gateway SIGKILL",
        ledger,
        gateway: () => gw,
        send: say,
        async fault() {
          await gw.kill("SIGKILL");
          gw = await gatewayOn(dir);
        },
      });
      expect(report.lost).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );

  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    const name = signal === "SIGTERM" ? "B server stop" : "C server SIGKILL";
    test(
      `${name[0]}: Prosody ${signal === "SIGTERM" ? "stopped (SIGTERM)" : "SIGKILLed"} and started again`,
      async () => {
        const ledger = new DeliveryLedger();
        await bobListening(ledger);
        const gw = await gatewayOn(mkdtempSync(join(tmpdir(), "sg-faults-bc-")));
        const { report, load } = await runScenario({
          name,
          ledger,
          gateway: () => gw,
          send: postMsg,
          async fault() {
            if (signal === "SIGKILL" && prosody.pid !== null) process.kill(prosody.pid, "SIGKILL");
            await prosody.stopProcess();
            await prosody.startProcess();
            await bobListening(ledger);
          },
        });
        expect(report.lost).toEqual([]);
        expect(load.counts["500"]).toBeUndefined();
      },
      SCENARIO_TIMEOUT_MS,
    );
  }
});
