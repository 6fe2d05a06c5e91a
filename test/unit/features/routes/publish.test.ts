// Declarative HTTP -> MQTT (issue 23 §3): a `path:` route with `publish:` instead of `send:`,
// driven in-process against a fake broker connection: what the request publishes, how it is
// answered (201 once the broker has it, 503 MQTT_UNAVAILABLE when it cannot), and what check
// says. The real broker is test/integration/features/mqtt-out.test.ts's.
import { describe, expect, test } from "bun:test";
import type { DeclarativeRouteConfig } from "../../../../src/features/index.ts";
import { declarativeHandler } from "../../../../src/features/routes/handler.ts";
import { GatewayError } from "../../../../src/plugin-api/errors.ts";
import type { MqttPublishOptions } from "../../../../src/mqtt/types.ts";
import { renderCommand } from "../../../../src/features/routes/render-cli.ts";
import { declarativeOperation } from "../../../../src/features/routes/openapi.ts";
import { checkErrors, loadTestConfig } from "../../../helpers/gateway.ts";
import { BUILTIN_PLUGINS } from "../../../../plugins/index.ts";
import { formatLines } from "../../../../src/config/diagnostics.ts";
import { loadConfig } from "../../../../src/features/index.ts";
import { JSON_TEXT_WARNING } from "../../../../src/templates/payload.ts";

const HEAD = `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }
mqtt: { url: "mqtt://127.0.0.1:1883" }
routes:
`;

const LIGHTS = `
  - path: /lights/:room
    body: { state: string }
    when: body.state != "keep"
    publish:
      topic: "zigbee2mqtt/{{ params.room }}/set"
      payload: '{"state":{{ body.state | upcase | json }}}'
`;

function route(yaml: string, refuse?: () => Error) {
  const config = loadTestConfig(HEAD + yaml);
  const published: Array<{ topic: string; payload: string; options: MqttPublishOptions }> = [];
  const handler = declarativeHandler(config.routes[0] as DeclarativeRouteConfig, {
    auth: undefined,
    component: "gw.localhost",
    maxBodyBytes: 1_000_000,
    deliver: () => Promise.reject(new Error("a publishing route sends no stanza")),
    newId: () => "id1",
    iq: { isOnline: () => true, defaultTimeoutMs: 1_000, request: () => Promise.reject(new Error("no iq routes here")) },
    mqtt: {
      async publish(topic, payload, options) {
        const refusal = refuse?.();
        if (refusal) throw refusal;
        published.push({ topic, payload: String(payload), options });
      },
    },
  });
  const call = async (body: string, params: Record<string, string>) => {
    const res = await handler({
      request: new Request("http://gw/r", { method: "POST", body, headers: { "content-type": "application/json" } }),
      params,
      ip: "127.0.0.1",
    });
    return { status: res.status, json: res.status === 204 ? undefined : ((await res.json()) as Record<string, unknown>) };
  };
  return { call, published };
}

describe("a route with publish:", () => {
  test("publishes the rendered payload to the rendered topic and answers 201 once the broker has it", async () => {
    const r = route(LIGHTS);
    expect(await r.call('{"state":"on"}', { room: "kitchen" })).toEqual({
      status: 201,
      json: { status: "published", topic: "zigbee2mqtt/kitchen/set", qos: 1, retain: false, bytes: 14 },
    });
    expect(r.published).toEqual([{ topic: "zigbee2mqtt/kitchen/set", payload: '{"state":"ON"}', options: { qos: 1, retain: false } }]);
  });

  test("when: false is 204 and nothing is published", async () => {
    const r = route(LIGHTS);
    expect(await r.call('{"state":"keep"}', { room: "kitchen" })).toEqual({ status: 204, json: undefined });
    expect(r.published).toEqual([]);
  });

  test("a path value that would leave its level (%2F, +, #) is 400 MQTT_TOPIC_INVALID and nothing is published", async () => {
    const r = route(LIGHTS);
    for (const room of ["a/b", "+", "#"]) {
      const { status, json } = await r.call('{"state":"on"}', { room });
      expect({ status, code: json?.code }).toEqual({ status: 400, code: "MQTT_TOPIC_INVALID" });
    }
    expect(r.published).toEqual([]);
  });

  test("a body the route does not accept is 400 before anything is published", async () => {
    const r = route(LIGHTS);
    expect((await r.call('{"state":1}', { room: "kitchen" })).status).toBe(400);
    expect(r.published).toEqual([]);
  });

  test("with the broker away: 503 MQTT_UNAVAILABLE with its reason, as the connection refused it", async () => {
    const r = route(LIGHTS, () => new GatewayError("MQTT_UNAVAILABLE", undefined, { details: { reason: "connection refused" } }));
    const { status, json } = await r.call('{"state":"on"}', { room: "kitchen" });
    expect(status).toBe(503);
    expect(json).toMatchObject({ code: "MQTT_UNAVAILABLE", reason: "connection refused" });
  });

  test("qos and retain are the route's", async () => {
    const r = route(LIGHTS.replace("publish:", "publish:\n      qos: 2\n      retain: true"));
    await r.call('{"state":"off"}', { room: "hall" });
    expect(r.published[0]?.options).toEqual({ qos: 2, retain: true });
  });
});

// docs/mqtt.md "publish: of a route": a payload written as a mapping is JSON the gateway writes.
const SAFE = `
  - path: /lights/:room
    body: { state: string, level: { type: number, required: false } }
    publish:
      topic: "zigbee2mqtt/{{ params.room }}/set"
      payload: { state: "{{ body.state | upcase }}", brightness: "{{ body.level }}", source: "http {{ body.level }}", fixed: [1, true, null] }
`;

const DEV = `
  - path: /dev
    publish: { topic: "dev/{{ body.room }}/set", payload: "{{ body.v }}" }
`;

describe("a publish: payload and topic hold what the caller sends in its place", () => {
  test("a mapping payload is JSON the gateway writes: a value with quotes stays one string, adding no key", async () => {
    const r = route(SAFE);
    expect((await r.call('{"state":"on\\",\\"evil\\":\\"1","level":42}', { room: "x" })).status).toBe(201);
    expect(JSON.parse(r.published[0]?.payload ?? "")).toEqual({
      state: 'ON","EVIL":"1',
      brightness: 42,
      source: "http 42",
      fixed: [1, true, null],
    });
  });

  test("a leaf that is exactly one {{ expr }} printing a string or nothing stays a string", async () => {
    const r = route(SAFE);
    await r.call('{"state":"off"}', { room: "x" });
    expect(r.published[0]?.payload).toBe('{"state":"OFF","brightness":"","source":"http ","fixed":[1,true,null]}');
  });

  test("an empty or missing value printed into the topic is 400 MQTT_TOPIC_INVALID naming it; nothing is published", async () => {
    const r = route(DEV);
    for (const body of ["{}", '{"room":""}']) {
      const { status, json } = await r.call(body, {});
      expect({ status, code: json?.code }).toEqual({ status: 400, code: "MQTT_TOPIC_INVALID" });
      expect(String(json?.error)).toContain("{{ body.room }}");
    }
    expect(r.published).toEqual([]);
  });

  test("NUL or a control character in a topic value is MQTT_TOPIC_INVALID, not an XML error", async () => {
    const r = route(DEV);
    for (const room of ["a\\u0000b", "a\\u0001b", "a\\u007fb"]) {
      const { status, json } = await r.call(`{"room":"${room}"}`, {});
      expect({ status, code: json?.code }).toEqual({ status: 400, code: "MQTT_TOPIC_INVALID" });
    }
    expect(r.published).toEqual([]);
  });

  test("a payload is bytes, not XML: control characters a value prints are published as they are", async () => {
    const r = route(DEV);
    expect((await r.call('{"room":"serial","v":"Backlog\\u0001x\\u0000"}', {})).status).toBe(201);
    expect(r.published[0]?.payload).toBe("Backlog\u0001x\u0000");
  });
});

describe("stanzagate render and /openapi.json", () => {
  test("render prints the message a request would publish, as mosquitto_sub -v shows it, without connecting", async () => {
    const out: string[] = [];
    const code = await renderCommand(
      loadTestConfig(HEAD + LIGHTS),
      { route: "/lights/porch", headers: [], query: [], pretty: false, body: new TextEncoder().encode('{"state":"off"}') },
      { out: (l) => out.push(l), err: (l) => out.push(`err: ${l}`) },
    );
    expect({ code, out }).toEqual({ code: 0, out: ['zigbee2mqtt/porch/set {"state":"OFF"}  (qos 1)'] });
  });

  test("the operation's 201 is the published answer", () => {
    const config = loadTestConfig(HEAD + LIGHTS);
    const operation = declarativeOperation(config.routes[0] as DeclarativeRouteConfig, config) as {
      responses: Record<string, { content?: Record<string, { schema: { properties: Record<string, unknown> } }> }>;
    };
    expect(Object.keys(operation.responses["201"]?.content?.["application/json"]?.schema.properties ?? {})).toEqual([
      "status",
      "topic",
      "qos",
      "retain",
      "bytes",
    ]);
    expect(operation.responses["202"]).toBeUndefined();
  });
});

describe("check", () => {
  const problems = checkErrors;

  test("publish: needs the mqtt: section", () => {
    expect(problems(HEAD.replace('mqtt: { url: "mqtt://127.0.0.1:1883" }\n', "") + LIGHTS)).toBe(
      [
        "routes.yaml:7:5  error  routes[0].publish  publish: needs the broker: add the top-level mqtt: section (url: mqtt://host:1883, docs/mqtt.md)",
        "1 error — not started",
      ].join("\n"),
    );
  });

  test("a wildcard in the topic's text, a name the route cannot give, send: and publish: together: each at its place", () => {
    const yaml = `${HEAD}  - path: /a/:x
    publish: { topic: "a/#", payload: "{{ params.y }}" }
  - path: /b
    send: <message to="bob@localhost"><body>x</body></message>
    publish: { topic: "b", payload: "" }
`;
    expect(problems(yaml)).toBe(
      [
        "routes.yaml:5:26  error  routes[0].publish.topic  a topic to publish to cannot contain the wildcards + or # (MQTT 5 §4.7.1): use a template value for a level",
        'routes.yaml:5:43  error  routes[0].publish.payload  template uses {{ params.y }} but the path /a/:x has no :y (did you mean "x"?) (params: x)',
        "routes.yaml:7:5  error  routes[1].send  a route either sends stanzas (send:) or publishes to MQTT (publish:), not both",
        "3 errors — not started",
      ].join("\n"),
    );
  });

  test("a string in a mapping payload is checked as a template, at its place", () => {
    const yaml = `${HEAD}  - path: /a/:x
    publish: { topic: "a/{{ params.x }}", payload: { ok: "{{ params.x }}", list: [1, "{{ params.y }}"] } }
`;
    expect(problems(yaml)).toBe(
      [
        'routes.yaml:5:90  error  routes[0].publish.payload.list[1]  template uses {{ params.y }} but the path /a/:x has no :y (did you mean "x"?) (params: x)',
        "1 error — not started",
      ].join("\n"),
    );
  });

  test("a text payload that writes JSON and prints a value without | json is warned about, at the value", () => {
    const yaml = `${HEAD}  - path: /a/:x
    publish: { topic: "a", payload: '{"state":"{{ params.x }}"}' }
  - path: /b/:x
    publish: { topic: "b", payload: '{"state":{{ params.x | json }}}' }
`;
    const result = loadConfig(yaml, {}, BUILTIN_PLUGINS);
    expect(result.ok && formatLines("routes.yaml", result.warnings)).toEqual([
      `routes.yaml:5:48  warning  routes[0].publish.payload  ${JSON_TEXT_WARNING}`,
    ]);
  });

  test("a route with neither send: nor publish: still says send: is required", () => {
    expect(problems(`${HEAD}  - path: /c\n`)).toContain("routes[0].send  expected the stanza template");
  });
});
