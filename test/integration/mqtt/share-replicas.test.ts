// Replicas and MQTT (issue 26 §2): two gateways on one PostgreSQL store, each with its own client
// id. With `mqtt.share` they subscribe as one shared-subscription group (MQTT 5 §4.8.2), so the
// broker hands each message to one of them: N messages published, N chat messages in all. Without
// it each replica has its own subscription and gets its own copy: 2N, the reason the key exists.
// Real mosquitto and PostgreSQL, in-process gateways on fake XMPP links (the stanzas they wrote).
// Every test uses its own topics, client ids and group: the broker keeps stopped sessions.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { startMosquitto, type TestMosquitto } from "../../../testbed/mosquitto.ts";
import { waitFor } from "../../../testbed/timeouts.ts";
import { type FakeGateway, fakeGateway } from "../../helpers/fake-gateway.ts";
import { logTail } from "../../helpers/gateway.ts";
import { usePostgresDatabases } from "../../helpers/postgres-databases.ts";

const N = 20;
const databases = usePostgresDatabases("mqtt_share");
let broker: TestMosquitto;
beforeAll(async () => void (broker = await startMosquitto()));
afterAll(() => broker.stop());
const running: FakeGateway[] = [];
afterEach(async () => {
  for (const gw of running.splice(0)) await gw.stop();
});

/** A bot job watching the sensors as well: it runs once per message too. */
const JOB = (root: string) => `bots:
  - jid: house@gateway.localhost
    allow: ["bob@localhost"]
    jobs: [{ name: sensors, mqtt: { topic: "${root}/s/+" }, send: [{ to: bob@localhost, text: "JOB {{ wildcards[0] }} {{ body }}" }] }]
`;

/** routes.yaml after the head: `root/s/+` sensors (with `extra` keys), `root/marker` markers. */
const routes = (root: string, id: string, share: boolean, extra = "", job = false) => `
mqtt:
  url: ${broker.url}
  client_id: ${root}-${id}
${share ? `  share: ${root}\n` : ""}${job ? JOB(root) : ""}routes:
  - name: sensors
    mqtt: { topic: "${root}/s/+" }${extra}
    send: <message to="bob@localhost" type="chat"><body>{{ wildcards[0] }} {{ body }}</body></message>
  - name: marker
    mqtt: { topic: "${root}/marker" }
    send: <message to="bob@localhost" type="chat"><body>marker {{ body }}</body></message>
`;

/** Two replicas on one fresh database, once both have subscribed. */
async function replicas(root: string, share: boolean, extra = "", job = false): Promise<{ gws: FakeGateway[]; url: string }> {
  const url = await databases.fresh();
  const gws: FakeGateway[] = [];
  for (const id of ["a", "b"]) {
    const gw = await fakeGateway(routes(root, id, share, extra, job), { store: url });
    running.push(gw);
    gws.push(gw);
    await waitFor(() => gw.logs.some((l) => l.msg === "MQTT filters subscribed"), 15_000, `replica ${id} to subscribe`, logTail(gw.logs));
  }
  return { gws, url };
}

const bodies = (gw: FakeGateway) => gw.stanzas().map((s) => s.getChildText("body") ?? "");
const sensors = (gw: FakeGateway) => bodies(gw).filter((b) => !b.startsWith("marker"));

/** Returns once every replica handled a marker published after all else: a connection's messages are handled in order. */
async function drained(root: string, gws: FakeGateway[]): Promise<void> {
  let marker = 0;
  const seen = () => gws.every((gw) => bodies(gw).some((b) => b.startsWith("marker")));
  await waitFor(
    async () => (await broker.pub(`${root}/marker`, String(++marker), { qos: 1 }), seen()),
    15_000,
    "a marker at each replica",
    undefined,
    100,
  );
}

const published = Array.from({ length: N }, (_, i) => `dev${i} ${i}`).sort();
async function publishAll(root: string): Promise<void> {
  for (let i = 0; i < N; i++) await broker.pub(`${root}/s/dev${i}`, String(i), { qos: 1 });
}

describe("MQTT replicas on one PostgreSQL store", () => {
  test("with mqtt.share, N messages published give N chat messages in all, each sent by one replica", async () => {
    const { gws } = await replicas("share1", true);
    await publishAll("share1");
    await drained("share1", gws);
    const [a, b] = gws.map(sensors) as [string[], string[]];
    expect([...a, ...b].sort()).toEqual(published);
    // The broker hands the group's messages out in turn (mosquitto: round robin): both did some.
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
  });

  test("without mqtt.share, each replica has its own subscription: every message is sent twice (2N)", async () => {
    const { gws } = await replicas("plain1", false);
    await publishAll("plain1");
    await drained("plain1", gws);
    for (const gw of gws) expect(sensors(gw).sort()).toEqual(published);
  });

  test("with mqtt.share, a bot job watching the topics runs once per message across the replicas, as the route sends once", async () => {
    const { gws } = await replicas("job1", true, "", true);
    await publishAll("job1");
    await drained("job1", gws);
    const all = gws.flatMap(sensors);
    expect(all.filter((b) => b.startsWith("JOB ")).sort()).toEqual(published.map((p) => `JOB ${p}`));
    expect(all.filter((b) => !b.startsWith("JOB ")).sort()).toEqual(published);
  });

  test("with mqtt.share, on_change compares with the last value any replica sent for the topic", async () => {
    const onChange = "\n    on_change: body";
    const { gws, url } = await replicas("change1", true, onChange);
    const db = new SQL(url);
    const handled = async () => {
      let total = 0;
      for (const gw of gws) {
        const text = await (await gw.request("/metrics")).text();
        for (const m of text.matchAll(/^stanzagate_mqtt_route_messages_total\{route="sensors",[^}]*\} (\d+)$/gm)) total += Number(m[1]);
      }
      return total;
    };
    const kept = async () =>
      (await db`SELECT value FROM plugin_data WHERE collection = 'mqtt_on_change'`).map((r: { value: string }) => r.value);
    const states = ["on", "on", "off", "off", "off", "on", "on"];
    let last = "";
    for (const [i, state] of states.entries()) {
      await broker.pub("change1/s/door", state, { qos: 1 });
      await waitFor(async () => (await handled()) === i + 1, 15_000, `message ${i + 1} handled by a replica`);
      if (state !== last) await waitFor(async () => (await kept()).includes(JSON.stringify(state)), 15_000, `${state} kept in the store`);
      last = state;
    }
    await db.close();
    const told = gws.flatMap(sensors);
    expect(told.sort()).toEqual(["door off", "door on", "door on"]);
    // Turn by turn the messages went to both replicas, so each compared with what the other had sent.
    expect(gws.every((gw) => sensors(gw).length > 0)).toBe(true);
  });
});
