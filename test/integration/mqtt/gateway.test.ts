// The gateway with an mqtt: section, as a process on a real XMPP server and a real mosquitto:
// /health and /metrics show the broker connection, the status topic says "online" (retained), a
// SIGKILLed gateway leaves "offline" there by its last will, and refused credentials are told
// on /health while the gateway keeps trying.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import mqtt from "mqtt";
import { spawnGateway, type GatewayProcess } from "../../helpers/gateway-process.ts";
import { configHead, loadTestConfig, startGateway } from "../../helpers/gateway.ts";
import { testServers } from "../../helpers/servers.ts";
import { startMosquitto, type TestMosquitto } from "../../../testbed/mosquitto.ts";
import { waitFor } from "../../../testbed/timeouts.ts";
import type { XmppServer } from "../../../testbed/xmpp-server.ts";

const USERS = { gateway: "gw-s3cret", watcher: "watch-pw" };

const mqttSection = (broker: TestMosquitto, password: string, topic: string) =>
  [
    "mqtt:",
    `  url: ${broker.url}`,
    "  username: gateway",
    `  password: "${password}"`,
    `  status_topic: ${topic}`,
    "  keepalive_s: 5",
    "  reconnect: { initial_ms: 50, max_ms: 500 }",
    "",
  ].join("\n");

/** Whether the broker still keeps a session for `clientId` (a probe that leaves none: expiry 0). */
async function sessionPresent(broker: TestMosquitto, clientId: string): Promise<boolean> {
  const probe = mqtt.connect(broker.url, {
    clientId,
    clean: false,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 0 },
    username: "gateway",
    password: USERS.gateway,
    reconnectPeriod: 0,
  });
  const present = await new Promise<boolean>((resolve, reject) => {
    probe.once("connect", (connack) => resolve(connack.sessionPresent));
    probe.once("error", reject);
  });
  await probe.endAsync();
  return present;
}

function isJson(line: string): boolean {
  try {
    return typeof JSON.parse(line) === "object";
  } catch {
    return false;
  }
}

async function metric(gw: GatewayProcess, name: string): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1] ?? Number.NaN);
}

for (const server of testServers()) {
  describe(server.name, () => {
    let xmpp: XmppServer;
    let broker: TestMosquitto;
    beforeAll(async () => {
      xmpp = await server.start();
      broker = await startMosquitto({ users: USERS });
    });
    afterAll(async () => {
      await broker?.stop();
      await xmpp?.stop();
    });

    test("online: /health and /metrics say so, the status topic holds a retained online; SIGKILL leaves offline by the last will", async () => {
      const topic = `stanzagate/${server.name}-kill/status`;
      const gw = await spawnGateway(xmpp, mqttSection(broker, USERS.gateway, topic));
      try {
        await waitFor(async () => (await gw.health()).status === 200, 10_000, "/health 200", gw.stderr);
        const { body } = await gw.health();
        expect(body.mqtt).toMatchObject({ state: "online", url: broker.url, client_id: `stanzagate-${xmpp.componentDomain}` });
        // The publishing connection opens once the main one is online: shown beside it.
        const publishing = async () => ((await gw.health()).body.mqtt as { publishing: Record<string, unknown> }).publishing;
        await waitFor(async () => (await publishing()).state === "online", 10_000, "publishing online", gw.stderr);
        expect(await publishing()).toEqual({ state: "online", client_id: `stanzagate-${xmpp.componentDomain}-pub` });
        expect(await metric(gw, "stanzagate_mqtt_connected")).toBe(1);
        expect(await broker.sub(topic, { count: 1, user: "watcher" })).toEqual([`${topic} online`]);
      } finally {
        await gw.kill("SIGKILL");
      }
      // MQTT 5 §3.1.2.5: the connection closed without DISCONNECT, so the broker publishes the will.
      await waitFor(
        async () => (await broker.sub(topic, { count: 1, user: "watcher" }))[0] === `${topic} offline`,
        10_000,
        "the last will",
      );
    });

    test("stderr holds JSON log lines only: no DeprecationWarning from the MQTT client at start", async () => {
      const gw = await spawnGateway(xmpp, mqttSection(broker, USERS.gateway, `stanzagate/${server.name}-stderr/status`));
      try {
        await waitFor(async () => (await gw.health()).status === 200, 10_000, "/health 200", gw.stderr);
      } finally {
        await gw.kill("SIGTERM");
      }
      const lines = gw
        .stderr()
        .split("\n")
        .filter((l) => l.trim() !== "");
      expect(lines.filter((l) => l.includes("connected to the MQTT broker"))).toHaveLength(1);
      expect(lines.filter((l) => !isJson(l))).toEqual([]);
    });

    test("refused credentials: /health is 503 with the reason in mqtt.last_error, and the gateway keeps trying", async () => {
      const gw = await spawnGateway(xmpp, mqttSection(broker, "wrong", `stanzagate/${server.name}-creds/status`));
      try {
        await waitFor(async () => (await metric(gw, "stanzagate_mqtt_reconnects_total")) >= 2, 10_000, "two attempts", gw.stderr);
        const { status, body } = await gw.health();
        expect(status).toBe(503);
        expect(body.status).toBe("degraded");
        expect((body.mqtt as Record<string, unknown>).state).not.toBe("online");
        expect((body.mqtt as Record<string, unknown>).last_error).toContain("the broker refused the credentials");
        expect(await metric(gw, "stanzagate_mqtt_connected")).toBe(0);
      } finally {
        await gw.kill("SIGTERM");
      }
    });

    test("a reload with other settings reconnects with them; one without mqtt: says offline, disconnects and ends the session", async () => {
      const first = `stanzagate/${server.name}-reload-1/status`;
      const second = `stanzagate/${server.name}-reload-2/status`;
      const gw = await startGateway(xmpp, { routes: mqttSection(broker, USERS.gateway, first) });
      try {
        const health = () =>
          gw.gateway.handle(new Request("http://gw/health")).then((r) => r.json() as Promise<{ mqtt?: { state: string } }>);
        await waitFor(async () => (await health()).mqtt?.state === "online", 10_000, "online");
        await gw.gateway.reload(loadTestConfig(configHead(xmpp) + mqttSection(broker, USERS.gateway, second)));
        await waitFor(
          async () => (await broker.sub(second, { count: 1, user: "watcher" }))[0] === `${second} online`,
          10_000,
          "online on the new status topic",
        );
        await gw.gateway.reload(loadTestConfig(configHead(xmpp)));
        expect((await health()).mqtt).toBeUndefined();
        expect(await broker.sub(second, { count: 1, user: "watcher" })).toEqual([`${second} offline`]);
        // The section removed ends the persistent session too (review of issue 23, finding 9).
        expect(await sessionPresent(broker, `stanzagate-${xmpp.componentDomain}`)).toBe(false);
      } finally {
        await gw.stop();
      }
    });
  });
}
