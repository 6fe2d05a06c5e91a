// The mqtt: section of routes.yaml (issue 23 §1): its defaults, and what `check` refuses at file:line:col.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILTIN_PLUGINS } from "../../../plugins/index.ts";
import { formatLines } from "../../../src/config/diagnostics.ts";
import { loadConfig } from "../../../src/features/index.ts";

const HEAD = "xmpp:\n  server: xmpp://127.0.0.1:5347\n  component: gw.example.org\n  secret: s\n  host: example.org\n";
const load = (mqtt: string, env: Record<string, string> = {}) => loadConfig(`${HEAD}mqtt:\n${mqtt}`, env, BUILTIN_PLUGINS);
const problems = (mqtt: string) => {
  const result = load(mqtt);
  if (result.ok) return formatLines("routes.yaml", result.warnings);
  return formatLines("routes.yaml", result.diagnostics);
};

describe("the mqtt: section", () => {
  test("a url alone gets a persistent session whose client id and status topic stay the same across restarts", () => {
    const result = load("  url: mqtt://127.0.0.1:1883\n");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.mqtt).toEqual({
      url: "mqtt://127.0.0.1:1883",
      client_id: "stanzagate-gw.example.org",
      clean: false,
      session_expiry_s: 604_800,
      keepalive_s: 30,
      status_topic: "stanzagate/gw.example.org/status",
      max_payload_bytes: 262_144,
      reconnect: { initial_ms: 1_000, max_ms: 30_000 },
    });
  });

  test("without the section there is no MQTT at all", () => {
    const result = loadConfig(HEAD, {}, BUILTIN_PLUGINS);
    expect(result.ok && result.config.mqtt).toBeUndefined();
  });

  test("the password comes from the environment", () => {
    const result = load("  url: mqtts://broker.example.org:8883\n  username: gateway\n  password: ${MQTT_PASSWORD}\n", {
      MQTT_PASSWORD: "pw",
    });
    expect(result.ok && result.config.mqtt?.password).toBe("pw");
  });

  test("a status topic with a wildcard is refused where it is written", () => {
    expect(problems("  url: mqtt://127.0.0.1\n  status_topic: stanzagate/+/status\n")).toEqual([
      "routes.yaml:8:17  error  mqtt.status_topic  a topic to publish to cannot contain the wildcards + or # (MQTT 5 §4.7.1)",
    ]);
  });

  test("credentials in the URL are refused (they would be logged): username and password are the place", () => {
    expect(problems("  url: mqtt://user:pw@127.0.0.1:1883\n")).toEqual([
      'routes.yaml:7:8  error  mqtt.url  expected mqtt://host:port or mqtts://host:port (no user, path or query), found "mqtt://user:pw@127.0.0.1:1883"',
    ]);
  });

  test("another scheme, ca_file with plain mqtt:// and a missing CA file are each refused", () => {
    expect(problems("  url: http://127.0.0.1\n")[0]).toContain("mqtt.url");
    expect(problems("  url: mqtt://127.0.0.1\n  ca_file: /nonexistent/ca.pem\n")).toEqual([
      "routes.yaml:8:12  error  mqtt.ca_file  /nonexistent/ca.pem: cannot read it: ENOENT: no such file or directory, open '/nonexistent/ca.pem'",
      "routes.yaml:8:12  error  mqtt.ca_file  mqtt.ca_file applies to mqtts:// only; mqtt.url is mqtt://127.0.0.1",
    ]);
  });

  test("a ca_file that is not PEM certificates is refused where it is written, naming the file and why", () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-mqtt-ca-"));
    const junk = join(dir, "junk.pem");
    writeFileSync(junk, "junk\n");
    const broken = join(dir, "broken.pem");
    writeFileSync(broken, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
    try {
      expect(problems(`  url: mqtts://localhost:8883\n  ca_file: ${junk}\n`)).toEqual([
        `routes.yaml:8:12  error  mqtt.ca_file  ${junk}: no PEM certificate in it (expected -----BEGIN CERTIFICATE----- blocks)`,
      ]);
      const [line] = problems(`  url: mqtts://localhost:8883\n  ca_file: ${broken}\n`);
      expect(line).toStartWith(`routes.yaml:8:12  error  mqtt.ca_file  ${broken}: certificate 1 does not parse: `);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test("a password over plain mqtt:// to another machine is a warning", () => {
    expect(problems("  url: mqtt://broker.example.org\n  username: u\n  password: p\n")).toEqual([
      "routes.yaml:7:8  warning  mqtt.url  plain mqtt:// to broker.example.org sends the password and every message unencrypted: use mqtts://",
    ]);
  });

  test("a misspelt key is refused with a hint", () => {
    expect(problems("  url: mqtt://127.0.0.1\n  keepalive: 30\n")).toEqual([
      'routes.yaml:8:3  error  mqtt.keepalive  unknown key (did you mean "keepalive_s"?)',
    ]);
  });

  test("share: a group name without /, + or #", () => {
    expect(load("  url: mqtt://127.0.0.1\n  share: house\n").ok).toBe(true);
    expect(problems("  url: mqtt://127.0.0.1\n  share: a/b\n")[0]).toStartWith("routes.yaml:8:10  error  mqtt.share");
  });
});

describe("mqtt.share and the rest of routes.yaml", () => {
  const ROUTE =
    '  - name: doors\n    mqtt: { topic: "zigbee2mqtt/+", retained: true }\n    send: <message to="a@example.org" type="chat"><body>{{ topic }}</body></message>\n';
  const full = (mqtt: string, more: string) => loadConfig(`${HEAD}${more}mqtt:\n${mqtt}routes:\n${ROUTE}`, {}, BUILTIN_PLUGINS);
  const told = (mqtt: string, more = "") => {
    const result = full(mqtt, more);
    return formatLines("routes.yaml", result.ok ? result.warnings : result.diagnostics);
  };

  test("a route asking for retained messages is refused beside a share: a shared subscription gets none", () => {
    expect(told("  url: mqtt://127.0.0.1\n  share: house\n")).toEqual([
      'routes.yaml:11:47  error  routes[0].mqtt.retained  retained: true cannot work with mqtt.share "house": the broker sends no retained message to a shared subscription (MQTT 5 §4.8.2); drop retained: or share:',
    ]);
  });

  test("replicas on a PostgreSQL store with MQTT routes and no share are warned: each would send every message", () => {
    const pg = "store: postgres://gw@db.example.org/stanzagate\n";
    expect(told("  url: mqtt://127.0.0.1\n", pg)).toEqual([
      "routes.yaml:7:1  warning  mqtt  store: is PostgreSQL (replicas) but mqtt.share is not set: every replica receives every MQTT message and sends it once each; set mqtt.share: <group> on all of them to have each message handled by one",
    ]);
    expect(told("  url: mqtt://127.0.0.1\n")).toEqual([]);
  });
});
