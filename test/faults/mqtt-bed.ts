// The bed of the MQTT fault tests (issue 23 §6): one Prosody (with mod_offline, so bob's server
// keeps what arrives while he reconnects) and one mosquitto per file, users `gateway` and
// `sensor`; bob and the gateways a test starts are ended after it, one component at a time.
import { afterAll, afterEach, beforeAll } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Element } from "ltx";
import { startProsody } from "../../testbed/prosody.ts";
import { startMosquitto, type TestMosquitto } from "../../testbed/mosquitto.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { connectClient, isMessageWithBody, type TestClient } from "../../testbed/xmpp-client.ts";
import type { GatewayProcess } from "../helpers/gateway-process.ts";
import { mqttGateway } from "./mqtt-gateway.ts";
import type { BrokerAddress } from "./mqtt-publish.ts";

const USERS = { gateway: "gateway-secret-1", sensor: "sensor-secret-2" };
export const SCENARIO_TIMEOUT_MS = 60_000;

export interface MqttBed {
  prosody: XmppServer;
  mosquitto: TestMosquitto;
  /** The gateway's login. */
  gatewayAt: BrokerAddress;
  /** The publishers' login. */
  sensor: BrokerAddress;
  /** Bob logged in, stopped after the test. */
  bob(): Promise<TestClient>;
  /** A gateway on the MQTT routes (mqtt-gateway.ts), online; SIGKILLed after the test unless it ended. */
  gatewayOn(dir?: string): Promise<GatewayProcess>;
  /** A gateway the test started itself, ended after it like the others. */
  track(gw: GatewayProcess): GatewayProcess;
}

/** Registers the file's hooks; the fields are set once beforeAll ran. */
export function useMqttBed(): MqttBed {
  const clients: TestClient[] = [];
  const gateways: GatewayProcess[] = [];
  const bed = {
    async bob() {
      const client = await connectClient(bed.prosody, "bob");
      clients.push(client);
      return client;
    },
    async gatewayOn(dir = mkdtempSync(join(tmpdir(), "sg-faults-mqtt-"))) {
      return bed.track(await mqttGateway(bed.prosody, bed.gatewayAt, dir));
    },
    track(gw: GatewayProcess) {
      gateways.push(gw);
      return gw;
    },
  } as MqttBed;
  beforeAll(async () => {
    [bed.prosody, bed.mosquitto] = await Promise.all([startProsody({ extraModules: ["offline"] }), startMosquitto({ users: USERS })]);
    bed.gatewayAt = { url: bed.mosquitto.url, username: "gateway", password: USERS.gateway };
    bed.sensor = { url: bed.mosquitto.url, username: "sensor", password: USERS.sensor };
  }, 30_000);
  // One component connection at a time: the server refuses a second one for the same domain.
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.stop();
    for (const g of gateways.splice(0)) if (g.proc.exitCode === null && g.proc.signalCode === null) await g.kill("SIGKILL");
  });
  afterAll(async () => {
    await Promise.all([bed.prosody?.stop(), bed.mosquitto?.stop()]);
  });
  return bed;
}

/** The bodies of the chat messages among `stanzas`. */
export const bodies = (stanzas: Element[]) => stanzas.filter(isMessageWithBody).map((s) => s.getChildText("body") ?? "");
