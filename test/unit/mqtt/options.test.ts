// What one connection attempt hands mqtt.js (src/mqtt/options.ts): the broker as host, port and
// protocol, never as a URL string, which mqtt.js would parse with url.parse() and so print
// Node's DEP0169 DeprecationWarning on stderr, a line that is not JSON in the log.
import { describe, expect, test } from "bun:test";
import { clientOptions } from "../../../src/mqtt/options.ts";
import { mqttDefaults } from "../../../src/mqtt/schema.ts";

const settings = (url: string) =>
  mqttDefaults({ url, clean: false, session_expiry_s: 60, keepalive_s: 30, max_payload_bytes: 1024 }, "gw.example.org");

describe("the broker of a connection attempt", () => {
  test("is given as protocol, host and port, with each scheme's default port", () => {
    expect(clientOptions(settings("mqtt://127.0.0.1:1884"), 5)).toMatchObject({ protocol: "mqtt", host: "127.0.0.1", port: 1884 });
    expect(clientOptions(settings("mqtt://broker.example.org"), 5)).toMatchObject({ protocol: "mqtt", port: 1883 });
    expect(clientOptions(settings("mqtts://broker.example.org"), 4)).toMatchObject({
      protocol: "mqtts",
      host: "broker.example.org",
      port: 8883,
      rejectUnauthorized: true,
    });
  });

  test("an IPv6 address loses its brackets, as a socket takes it", () => {
    expect(clientOptions(settings("mqtt://[::1]:1883/"), 5)).toMatchObject({ host: "::1", port: 1883 });
  });
});
