// Bots on MQTT (issue 23 §3): a command publishes (`mqtt:`) and replies with the outcome; a job
// watches a topic (`mqtt:` instead of a schedule) and reports what its messages say. Driven
// in-process against a fake broker connection that records what is published and hands
// messages to the subscriptions; the real broker is test/integration/features/mqtt-out.test.ts's.
import { describe, expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { botHandler } from "../../../../src/features/bots/bot.ts";
import { startWatches } from "../../../../src/features/bots/watch.ts";
import type { LastRun } from "../../../../src/features/bots/jobs.ts";
import { createLogger } from "../../../../src/log.ts";
import { createMetrics } from "../../../../src/metrics.ts";
import { GatewayError } from "../../../../src/plugin-api/errors.ts";
import type { Mqtt, MqttMessage, MqttPublishOptions, MqttSubscribeOptions } from "../../../../src/mqtt/types.ts";
import { FAKE_HEAD } from "../../../helpers/fake-gateway.ts";
import { checkErrors, loadTestConfig } from "../../../helpers/gateway.ts";
import { BUILTIN_PLUGINS } from "../../../../plugins/index.ts";
import { formatLines } from "../../../../src/config/diagnostics.ts";
import { loadConfig } from "../../../../src/features/index.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";

const BROKER = "mqtt:\n  url: mqtt://127.0.0.1:1883\n";

const HOUSE = `
bots:
  - jid: house@gateway.localhost
    allow: ["*@localhost"]
    commands:
      - match: '^light (?<room>\\S+) (?<state>on|off)$'
        mqtt:
          topic: "zigbee2mqtt/{{ match.room }}/set"
          payload: '{"state":{{ match.state | upcase | json }}}'
        reply: "{{ match.room }}: {{ match.state }} (published to {{ mqtt.topic }})"
        error: "{{ match.room }} not switched: {{ error }}"
      - match: '^say (?<text>.+)$'
        mqtt: { topic: house/say, payload: { text: "{{ match.text }}", ok: [true] } }
        reply: "said {{ mqtt.payload }}"
      - match: '^lamp ?(?<room>[a-z]*) (?<state>on|off)$'
        mqtt: { topic: "lamps/{{ match.room }}/set", payload: "{{ match.state }}" }
        reply: "lamp {{ match.state }}"
        error: "lamp not switched: {{ error }}"
      - match: '^ring$'
        mqtt: { topic: house/bell, payload: ding, qos: 0, retain: true }
        reply: "rung"
    jobs:
      - name: doors
        mqtt: { topic: "zigbee2mqtt/+/contact" }
        on_change: body.contact
        send:
          - { to: bob@localhost, text: "{{ wildcards[0] }} {% if body.contact %}closed{% else %}open{% endif %} (battery {{ body.battery }}%)" }
      - name: power
        mqtt: { topic: "stat/#", qos: 0 }
        when: body == "ON"
        send: ['<message to="bob@localhost"><body>{{ topic }} is {{ body }}{% if retain %} (retained){% endif %}</body></message>']
`;

/** A broker connection that keeps what is published and delivers what the test injects. */
function fakeBroker(refuse?: () => Error) {
  const published: Array<{ topic: string; payload: string; options: MqttPublishOptions }> = [];
  const subscriptions: Array<{ filter: string; options: MqttSubscribeOptions; handle(m: MqttMessage): Promise<void>; open: boolean }> = [];
  const mqtt: Mqtt = {
    async publish(topic, payload, options) {
      const refusal = refuse?.();
      if (refusal) throw refusal;
      published.push({ topic, payload: String(payload), options });
    },
    subscribe(filter, options, handle) {
      const s = { filter, options, handle, open: true };
      subscriptions.push(s);
      return { close: () => void (s.open = false) };
    },
    status: () => ({ state: "online", url: "mqtt://127.0.0.1:1883", clientId: "test", since: 0 }),
  };
  const message = (topic: string, payload: string | Uint8Array, retain = false): MqttMessage => ({
    topic,
    payload: typeof payload === "string" ? new TextEncoder().encode(payload) : payload,
    qos: 1,
    retain,
    properties: {},
  });
  return { mqtt, published, subscriptions, message };
}

/** `shared`: the store replicas share under mqtt.share, written through and read fresh at each message. */
function house(refuse?: () => Error, bots = HOUSE, shared?: Map<string, LastRun>) {
  const config = loadTestConfig(FAKE_HEAD + BROKER + bots);
  const bot = config.bots[0]!;
  const broker = fakeBroker(refuse);
  const sent: Element[] = [];
  const stored = new Map<string, LastRun>();
  const writes = { n: 0 };
  const metrics = createMetrics({
    outbox: () => ({ depth: 0, oldestQueuedAt: undefined }),
    link: () => ({ state: "offline", onlineSince: undefined }),
  });
  const log = createLogger({ level: "error", write: () => {} });
  const handle = botHandler(bot, { send: async (el) => void sent.push(el), fetch: globalThis.fetch, log, metrics, mqtt: broker.mqtt });
  const say = async (body: string) => {
    const before = sent.length;
    handle(xml("message", { from: "bob@localhost/phone", to: "house@gateway.localhost", type: "chat", id: "m1" }, xml("body", {}, body)));
    await waitFor(() => sent.length > before, 1_000, `the bot's answer to "${body}"`, undefined, 5);
    return sent.at(-1)?.getChildText("body");
  };
  let deliver = async (el: Element) => void sent.push(el);
  const last = {
    get: (k: string) => stored.get(k),
    set: (k: string, v: LastRun) => void (writes.n++, stored.set(k, v), shared?.set(k, v)),
    delete: (k: string) => void stored.delete(k),
  };
  const fresh = shared && { fresh: async (k: string) => shared.get(k) };
  const stop = startWatches(config.bots, { mqtt: broker.mqtt, deliver: (el) => deliver(el), log, last: () => last, metrics, ...fresh });
  /** One message through every open subscription whose filter is `filter`. */
  const arrive = async (filter: string, topic: string, payload: string | Uint8Array, retain = false) => {
    for (const s of broker.subscriptions.filter((x) => x.open && x.filter === filter))
      await s.handle(broker.message(topic, payload, retain));
  };
  const setDeliver = (d: typeof deliver) => void (deliver = d);
  return { ...broker, sent, stored, writes, say, arrive, stop, setDeliver, scrape: () => metrics.render() };
}

const bodies = (sent: Element[]) => sent.map((s) => s.getChildText("body"));

/** The door sensor of the share and upgrade tests reporting, battery at 90%. */
const door = (h: ReturnType<typeof house>, contact: boolean) =>
  h.arrive("zigbee2mqtt/+/contact", "zigbee2mqtt/door/contact", JSON.stringify({ contact, battery: 90 }));

describe("a command with mqtt:", () => {
  test('`light kitchen on` publishes {"state":"ON"} to zigbee2mqtt/kitchen/set at QoS 1 and replies with the topic', async () => {
    const h = house();
    expect(await h.say("light kitchen on")).toBe("kitchen: on (published to zigbee2mqtt/kitchen/set)");
    expect(h.published).toEqual([{ topic: "zigbee2mqtt/kitchen/set", payload: '{"state":"ON"}', options: { qos: 1, retain: false } }]);
  });

  test("qos and retain are the command's", async () => {
    const h = house();
    expect(await h.say("ring")).toBe("rung");
    expect(h.published).toEqual([{ topic: "house/bell", payload: "ding", options: { qos: 0, retain: true } }]);
  });

  test("a value that would leave its topic level (a/b, +, #) publishes nothing: the error: line says why", async () => {
    const h = house();
    for (const room of ["a/b", "+", "#"]) {
      const reply = await h.say(`light ${room} on`);
      expect(reply).toStartWith(
        `${room} not switched: the MQTT topic could not be built (a value printed into the MQTT topic contains /, +, # or NUL`,
      );
    }
    expect(h.published).toEqual([]);
  });

  test("a mapping payload is JSON the gateway writes: quotes a sender types stay inside one string", async () => {
    const h = house();
    expect(await h.say('say hi","evil":"1')).toBe('said {"text":"hi\\",\\"evil\\":\\"1","ok":[true]}');
    expect(JSON.parse(h.published[0]?.payload ?? "")).toEqual({ text: 'hi","evil":"1', ok: [true] });
  });

  test("an empty value printed into the topic publishes nothing: the error: line names it", async () => {
    const h = house();
    expect(await h.say("lamp on")).toBe(
      'lamp not switched: the MQTT topic could not be built (a value printed into the MQTT topic is empty (a missing value would leave an empty topic level): "" (printed by {{ match.room }}))',
    );
    expect(h.published).toEqual([]);
  });

  test("with the broker away the error: template reads the reason and the topic; counted as mqtt_error", async () => {
    const h = house(() => new GatewayError("MQTT_UNAVAILABLE", undefined, { details: { reason: "connection refused" } }));
    expect(await h.say("light hall off")).toBe("hall not switched: the MQTT broker is unavailable (connection refused)");
    expect(await h.scrape()).toContain(
      'stanzagate_bot_commands_total{bot="house@gateway.localhost",command="light <room> <state>",outcome="mqtt_error"} 1',
    );
  });
});

describe("a job watching a topic", () => {
  test("subscribes its filter at its QoS, retained messages left out", () => {
    const h = house();
    expect(h.subscriptions.map(({ filter, options }) => ({ filter, options }))).toEqual([
      { filter: "zigbee2mqtt/+/contact", options: { qos: 1, retained: false } },
      { filter: "stat/#", options: { qos: 0, retained: false } },
    ]);
  });

  test("a Zigbee2MQTT door sensor's JSON is read as body, the matched level as wildcards; on_change per topic", async () => {
    const h = house();
    await h.arrive("zigbee2mqtt/+/contact", "zigbee2mqtt/front_door/contact", '{"contact":false,"battery":97}');
    await h.arrive("zigbee2mqtt/+/contact", "zigbee2mqtt/front_door/contact", '{"contact":false,"battery":96}');
    await h.arrive("zigbee2mqtt/+/contact", "zigbee2mqtt/back_door/contact", '{"contact":false,"battery":80}');
    await h.arrive("zigbee2mqtt/+/contact", "zigbee2mqtt/front_door/contact", '{"contact":true,"battery":96}');
    expect(bodies(h.sent)).toEqual(["front_door open (battery 97%)", "back_door open (battery 80%)", "front_door closed (battery 96%)"]);
    expect(h.sent[0]?.attrs).toMatchObject({ from: "house@gateway.localhost", to: "bob@localhost", type: "chat" });
  });

  test("with mqtt.share, on_change compares with the topic's last run in the store, whichever replica ran it", async () => {
    const shared = new Map<string, LastRun>();
    const [a, b] = [house(undefined, HOUSE, shared), house(undefined, HOUSE, shared)];
    await door(a, false);
    await door(b, false);
    await door(b, true);
    await door(a, true);
    expect(bodies(a.sent)).toEqual(["door open (battery 90%)"]);
    expect(bodies(b.sent)).toEqual(["door closed (battery 90%)"]);
  });

  test("its last runs are kept under the bot's local part (the same on every replica); one an older version kept under the JID is read", async () => {
    const h = house();
    await door(h, false);
    expect([...h.stored.keys()]).toEqual(["house@ doors zigbee2mqtt/door/contact"]);
    const upgraded = house();
    upgraded.stored.set("house@gateway.localhost doors zigbee2mqtt/door/contact", h.stored.get("house@ doors zigbee2mqtt/door/contact")!);
    await door(upgraded, false);
    expect(bodies(upgraded.sent)).toEqual([]);
    await door(upgraded, true);
    expect(bodies(upgraded.sent)).toEqual(["door closed (battery 90%)"]);
  });

  test("a sensor repeating itself sends nothing and writes nothing to the store; a change is written", async () => {
    const h = house();
    await h.arrive("zigbee2mqtt/+/contact", "zigbee2mqtt/door/contact", '{"contact":true}');
    for (let i = 0; i < 5; i++) await h.arrive("zigbee2mqtt/+/contact", "zigbee2mqtt/door/contact", '{"contact":true}');
    expect({ sent: h.sent.length, writes: h.writes.n }).toEqual({ sent: 1, writes: 1 });
    await h.arrive("zigbee2mqtt/+/contact", "zigbee2mqtt/door/contact", '{"contact":false}');
    expect({ sent: h.sent.length, writes: h.writes.n }).toEqual({ sent: 2, writes: 2 });
  });

  test("a Tasmota text payload is read as text; when: decides; retain is readable", async () => {
    const h = house();
    await h.arrive("stat/#", "stat/plug1/POWER", "OFF");
    await h.arrive("stat/#", "stat/plug1/POWER", "ON", true);
    expect(bodies(h.sent)).toEqual(["stat/plug1/POWER is ON (retained)"]);
  });

  test("a payload that is not UTF-8 is refused, counted as failed, and acknowledged (never retried)", async () => {
    const h = house();
    await h.arrive("zigbee2mqtt/+/contact", "zigbee2mqtt/x/contact", new Uint8Array([0xff, 0xfe, 0x00]));
    expect(h.sent).toEqual([]);
    expect(await h.scrape()).toContain('stanzagate_bot_job_runs_total{bot="house@gateway.localhost",job="doors",outcome="failed"} 1');
  });

  test("a full outbox is thrown back to the connection (retried before the PUBACK); nothing is remembered", async () => {
    const h = house();
    h.setDeliver(async () => {
      throw new GatewayError("OUTBOX_FULL");
    });
    await expect(h.arrive("zigbee2mqtt/+/contact", "zigbee2mqtt/x/contact", '{"contact":true}')).rejects.toThrow(GatewayError);
    expect(h.stored.size).toBe(0);
  });

  test("stopping closes every subscription", () => {
    const h = house();
    h.stop();
    expect(h.subscriptions.every((s) => !s.open)).toBe(true);
  });
});

describe("a bot with jobs alone (no commands:)", () => {
  const REPORTER = `
bots:
  - jid: house@gateway.localhost
    allow: ["*@localhost"]
    jobs:
      - name: doors
        mqtt: { topic: "zigbee2mqtt/+" }
        send: [{ to: bob@localhost, text: "{{ wildcards[0] }} {{ body.contact }}" }]
`;

  test("loads, reports what its job watches, and answers any chat message (help too) that it takes no commands", async () => {
    const h = house(undefined, REPORTER);
    await h.arrive("zigbee2mqtt/+", "zigbee2mqtt/garage", '{"contact":false}');
    expect(bodies(h.sent)).toEqual(["garage false"]);
    const none = "I take no commands: I only send what my jobs report (doors).";
    expect(await h.say("light kitchen on")).toBe(none);
    expect(await h.say("help")).toBe(none);
    h.stop();
  });

  test("its unknown: is its own answer when given", async () => {
    const h = house(undefined, REPORTER.replace("    jobs:", '    unknown: "I only watch the doors, {{ sender }}."\n    jobs:'));
    expect(await h.say("hello")).toBe("I only watch the doors, bob@localhost.");
    h.stop();
  });

  test("a bot with neither commands: nor jobs: is refused where it is written", () => {
    expect(checkErrors(FAKE_HEAD + "bots:\n  - jid: house@gateway.localhost\n    allow: ['*']\n")).toBe(
      [
        "routes.yaml:8:5  error  bots[0]  a bot needs commands: (what it answers), jobs: (what it reports), or both",
        "1 error — not started",
      ].join("\n"),
    );
  });
});

describe("check", () => {
  const problems = (yaml: string) => checkErrors(FAKE_HEAD + yaml);

  test("mqtt: on a command or a job needs the top-level mqtt: section", () => {
    const out = problems(HOUSE);
    expect(out).toContain("routes.yaml:13:9  error  bots[0].commands[0].mqtt  mqtt: needs the broker: add the top-level mqtt: section");
    expect(out).toContain("routes.yaml:30:9  error  bots[0].jobs[0].mqtt  mqtt: needs the broker");
  });

  test("a text payload that writes JSON and prints a value without | json is warned about, at the value", () => {
    const yaml = `${FAKE_HEAD}${BROKER}
bots:
  - jid: house@gateway.localhost
    allow: ["*"]
    commands:
      - { match: '^x (?<s>.+)$', mqtt: { topic: "a", payload: '{"s":"{{ match.s }}"}' }, reply: ok }
      - { match: '^y (?<s>.+)$', mqtt: { topic: "b", payload: '{"s":{{ match.s | json }}}' }, reply: ok }
`;
    const result = loadConfig(yaml, {}, BUILTIN_PLUGINS);
    const warnings = result.ok ? formatLines("routes.yaml", result.warnings) : formatLines("routes.yaml", result.diagnostics);
    expect(warnings.filter((w) => w.includes("payload"))).toEqual([
      expect.stringMatching(
        /^routes\.yaml:\d+:\d+ {2}warning {2}bots\[0\]\.commands\[0\]\.mqtt\.payload {2}this payload writes JSON as text/,
      ),
    ]);
  });

  test("a wildcard in a topic to publish to, a bad filter, a job with both a schedule and a topic: each at its place", () => {
    const yaml = `${BROKER}
bots:
  - jid: house@gateway.localhost
    allow: ["*"]
    commands:
      - { match: '^x$', mqtt: { topic: "lights/+/{{ match.x }}" }, reply: ok }
      - { match: '^y$', mqtt: { topic: "lights/{{ nope }}" }, reply: ok }
    jobs:
      - { name: a, mqtt: { topic: "a/#/b" }, send: [{ to: bob@localhost, text: x }] }
      - { name: b, every: 5m, mqtt: { topic: "a/b" }, send: [{ to: bob@localhost, text: "{{ http.status }}" }] }
`;
    expect(problems(yaml)).toBe(
      [
        "routes.yaml:14:48  error  bots[0].commands[0].mqtt.topic  a topic to publish to cannot contain the wildcards + or # (MQTT 5 §4.7.1): use a template value for a level",
        'routes.yaml:15:51  error  bots[0].commands[1].mqtt.topic  bad template: "nope" is not something a bot template can read (known: match, http, sender, body)',
        "routes.yaml:17:35  error  bots[0].jobs[0].mqtt.topic  not a topic filter: # must be a whole level and the last one (MQTT 5 §4.7.1.2)",
        "routes.yaml:18:9  error  bots[0].jobs[1]  a job needs exactly one of every: (30s, 5m, 1h), cron: and mqtt: (a topic to watch)",
        'routes.yaml:18:93  error  bots[0].jobs[1].send[0].text  bad template: "http.status" is not something a bot template can read (known: topic, wildcards, body, retain, last)',
        "5 errors — not started",
      ].join("\n"),
    );
  });

  test("wildcards[n] past the job's filter is refused at its place in when:, on_change: and send:, as for a route", () => {
    const yaml = `${BROKER}
bots:
  - jid: house@gateway.localhost
    allow: ["*"]
    jobs:
      - name: a
        mqtt: { topic: "a/+" }
        when: wildcards[1] != nil
        on_change: wildcards[2]
        send: [{ to: bob@localhost, text: "{{ wildcards[0] }} {{ wildcards[3] }}" }, '<message to="bob@localhost"><body>{{ wildcards[1] }}</body></message>']
      - { name: b, mqtt: { topic: "b/+/#" }, send: [{ to: bob@localhost, text: "{{ wildcards[0] }} {{ wildcards[1] }}" }] }
`;
    const one = "the topic filter has 1 wildcard level (+ or #): wildcards[0] to wildcards[0]";
    expect(problems(yaml)).toBe(
      [
        `routes.yaml:16:15  error  bots[0].jobs[0].when  template uses {{ wildcards[1] }} but ${one}`,
        `routes.yaml:17:20  error  bots[0].jobs[0].on_change  template uses {{ wildcards[2] }} but ${one}`,
        `routes.yaml:18:66  error  bots[0].jobs[0].send[0].text  template uses {{ wildcards[3] }} but ${one}`,
        `routes.yaml:18:124  error  bots[0].jobs[0].send[1]  template uses {{ wildcards[1] }} but ${one}`,
        "4 errors — not started",
      ].join("\n"),
    );
  });
});
