// Issue 23 §5: MQTT in against hostile input, on the built gateway and a real mosquitto, with
// mosquitto_pub as the sender: payloads that are not UTF-8, binary, past max_payload_bytes, markup
// and what XML cannot carry (mqtt-payloads.ts), a topic of 100 levels, FAULTS_MQTT_FLOOD messages
// at about 10,000/s (bounded RSS, the per-topic interval, HTTP served meanwhile), refused
// credentials. Counts, never timings, are asserted; each prints one line of them.
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { logOffset, streamTroubleSince } from "../../testbed/prosody-log.ts";
import { waitFor } from "../../testbed/timeouts.ts";
import { isMessageWithBody, messageWithBody, type TestClient } from "../../testbed/xmpp-client.ts";
import { spawnGateway, type GatewayProcess } from "../helpers/gateway-process.ts";
import { bodies, SCENARIO_TIMEOUT_MS, useMqttBed } from "./mqtt-bed.ts";
import { metricSum, mqttHealth, mqttRoutes, rssMb, TOKEN, untilMqttOnline } from "./mqtt-gateway.ts";
import { flood, publishBytes, publishText } from "./mqtt-publish.ts";
import { HOSTILE } from "./mqtt-payloads.ts";
import { SIZES } from "./sizes.ts";

const FLOOD_TOPICS = ["a", "b", "c", "d"];
/** Every series that counts a refused message: the connection's (too_large) and the routes' (not UTF-8, unrenderable). */
const REFUSED = /^stanzagate_mqtt_.*refused/;

const bed = useMqttBed();

describe("MQTT in, hostile input: refused or delivered, never a crash; the link and the broker connection stay up", () => {
  /** Publishes `payload`, then a marker; returns what bob got in between (the marker last). */
  async function throughMarker(gw: GatewayProcess, client: TestClient, payload: Uint8Array, marker: string): Promise<string[]> {
    const from = client.received.length;
    await publishBytes(bed.sensor, "faults/hostile", payload);
    await publishText(bed.sensor, "faults/hostile", marker);
    await client.nextStanza(messageWithBody(`hostile ${marker}`));
    expect(gw.proc.exitCode).toBeNull();
    return bodies(client.received.slice(from));
  }

  test(
    `payloads: ${HOSTILE.map((c) => c.name).join(", ")}`,
    async () => {
      const client = await bed.bob();
      const gw = await bed.gatewayOn();
      const links = async () => ({
        xmpp: await metricSum(gw, /^stanzagate_xmpp_connects/),
        mqtt: await metricSum(gw, /^stanzagate_mqtt_reconnects/),
      });
      const before = await links();
      const serverLog = await logOffset(bed.prosody);
      const outcomes: string[] = [];
      for (const [i, c] of HOSTILE.entries()) {
        const refusedBefore = await metricSum(gw, REFUSED);
        const got = (await throughMarker(gw, client, c.payload, `marker ${i}`)).slice(0, -1);
        const refused = (await metricSum(gw, REFUSED)) - refusedBefore;
        outcomes.push(`${c.name}: ${got.length > 0 ? "delivered" : c.counted === false ? "dropped by the broker" : "refused"}`);
        const allowed = c.expect === undefined ? got.length === 0 || (got.length === 1 && c.delivered?.(got[0] ?? "") === true) : undefined;
        expect({ case: c.name, got, allowed }).toEqual({
          case: c.name,
          got: c.expect ?? got,
          allowed: c.expect === undefined ? true : undefined,
        });
        // Nothing sent means refused and counted, once (§5 "refused, logged, counted").
        expect({ case: c.name, refused }).toEqual({ case: c.name, refused: got.length === 0 && c.counted !== false ? 1 : 0 });
      }
      const refusals = outcomes.filter((o) => o.endsWith("refused")).length;
      const logged = gw
        .stderr()
        .split("\n")
        .filter((l) => l.includes("faults/hostile") && /refus|too.large/i.test(l));
      console.log(`faults mqtt hostile: ${outcomes.join("; ")}; logged=${logged.length}`);
      expect(logged).toHaveLength(refusals);
      // One byte over max_payload_bytes and the two packets at and one byte over the maximum size.
      expect(await metricSum(gw, /^stanzagate_mqtt_refused_total\{reason="too_large"/)).toBe(3);
      expect(await streamTroubleSince(bed.prosody, serverLog)).toEqual([]);
      expect(await links()).toEqual(before);
      expect(await mqttHealth(gw)).toMatchObject({ state: "online" });
    },
    SCENARIO_TIMEOUT_MS,
  );

  test(
    "a topic of 100 levels reaches its route whole",
    async () => {
      const client = await bed.bob();
      await bed.gatewayOn();
      const topic = ["faults", "deep", ...Array.from({ length: 98 }, (_, i) => `l${i}`)].join("/");
      await publishText(bed.sensor, topic, "{}");
      expect((await client.nextStanza(isMessageWithBody)).getChildText("body")).toBe("deep levels=100");
    },
    SCENARIO_TIMEOUT_MS,
  );

  test(
    `a flood of ${SIZES.mqttFlood} messages on four topics: bounded RSS, one message per topic and interval, HTTP served meanwhile`,
    async () => {
      const client = await bed.bob();
      const gw = await bed.gatewayOn();
      const before = rssMb(gw.proc.pid).now;
      const from = client.received.length;
      // One mosquitto_pub per topic: one alone keeps 20 QoS 1 messages in flight, under 10,000/s here.
      const share = (i: number) => Math.floor(SIZES.mqttFlood / FLOOD_TOPICS.length) + (i < SIZES.mqttFlood % FLOOD_TOPICS.length ? 1 : 0);
      const t0 = performance.now();
      const say = (text: string) =>
        fetch(`${gw.url}/say`, {
          method: "POST",
          headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({ text }),
        });
      const [, answers] = await Promise.all([
        Promise.all(FLOOD_TOPICS.map((t, i) => flood(bed.sensor, `faults/flood/${t}`, share(i), String))),
        Promise.all(Array.from({ length: 20 }, (_, i) => say(`during flood ${i}`).then((r) => r.status))),
      ]);
      const rate = Math.round(SIZES.mqttFlood / ((performance.now() - t0) / 1000));
      // The barrier: the flood route has taken every message (MQTT orders messages per topic only,
      // MQTT 5 §4.6: a marker on another topic is no barrier).
      const outcome = (o: string) =>
        metricSum(gw, new RegExp(`^stanzagate_mqtt_route_messages_total\\{[^}]*faults/flood[^}]*outcome="${o}"`));
      // Sent or queued: on a loaded machine a confirmation may outlast iq_timeout_ms and the stanza
      // waits in the outbox instead (202 for HTTP): delivered either way, never lost.
      const delivered = async () => (await outcome("sent")) + (await outcome("queued"));
      const taken = async () => (await delivered()) + (await outcome("skipped_interval")) >= SIZES.mqttFlood;
      const counts = async () =>
        `received=${await metricSum(gw, /^stanzagate_mqtt_received/)} sent_or_queued=${await delivered()} skipped=${await outcome("skipped_interval")}\n${gw.stderr().slice(-1500)}`;
      await waitFor(taken, 30_000, `the flood route to take ${SIZES.mqttFlood} messages`, counts, 50);
      const [sent, skipped, received] = [
        await delivered(),
        await outcome("skipped_interval"),
        await metricSum(gw, /^stanzagate_mqtt_received/),
      ];
      await Promise.all(FLOOD_TOPICS.map((t) => client.nextStanza(messageWithBody(`flood ${t} first=0`))));
      const rss = rssMb(gw.proc.pid);
      const floods = bodies(client.received.slice(from)).filter((b) => b.startsWith("flood "));
      console.log(
        `faults mqtt flood: published=${SIZES.mqttFlood} rate_per_s=${rate} received_by_gateway=${received} sent=${sent} skipped_interval=${skipped} ` +
          `to_bob=${floods.length} rss_before_mb=${before.toFixed(1)} peak_rss_mb=${rss.peak.toFixed(1)} http_answers=${JSON.stringify(answers)}`,
      );
      expect({ sent, skipped }).toEqual({ sent: FLOOD_TOPICS.length, skipped: SIZES.mqttFlood - FLOOD_TOPICS.length });
      expect(answers.every((s) => s === 201 || s === 202)).toBe(true);
      expect(floods.sort()).toEqual(FLOOD_TOPICS.map((t) => `flood ${t} first=0`));
      expect(rss.peak - before).toBeLessThan(SIZES.mqttFloodRssMb);
    },
    SCENARIO_TIMEOUT_MS,
  );

  test(
    "refused credentials: /health says so with last_error, the gateway keeps retrying, and a reload with the right password connects",
    async () => {
      const gw = await spawnGateway(bed.prosody, mqttRoutes({ ...bed.gatewayAt, password: "not-the-password" }));
      bed.track(gw);
      const refused = async () => {
        const mqtt = await mqttHealth(gw);
        return mqtt.last_error === undefined ? undefined : mqtt;
      };
      const mqtt = await waitFor(refused, 20_000, "/health to give the broker's refusal", () => gw.stderr().slice(-2000), 50);
      // Two more attempts after the first refusal: it retries (with backoff) rather than giving up.
      const attempts = await metricSum(gw, /^stanzagate_mqtt_reconnects/);
      await waitFor(async () => (await metricSum(gw, /^stanzagate_mqtt_reconnects/)) >= attempts + 2, 30_000, "two more attempts");
      const health = await gw.health();
      console.log(`faults mqtt credentials: health=${health.status} mqtt=${JSON.stringify(health.body.mqtt)}`);
      expect(mqtt.state).not.toBe("online");
      expect(mqtt.last_error).toMatch(/not authori[sz]ed|bad user ?name or password|credentials/i);
      expect(await mqttHealth(gw)).toMatchObject({ state: expect.not.stringMatching(/^online$/) });

      // The operator fixes the password: a reload that changes the connection settings reconnects.
      writeFileSync(
        join(gw.dir, "routes.yaml"),
        readFileSync(join(gw.dir, "routes.yaml"), "utf8").replace("not-the-password", bed.gatewayAt.password ?? ""),
      );
      gw.proc.kill("SIGHUP");
      await untilMqttOnline(gw);
      expect((await mqttHealth(gw)).last_error).toBeUndefined();
    },
    SCENARIO_TIMEOUT_MS,
  );
});
