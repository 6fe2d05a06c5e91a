// What the broker connection's failures say (src/mqtt/refusals.ts): /health's last_error and the HTTP answer.
import { describe, expect, test } from "bun:test";
import { errorResponse } from "../../../src/plugin-api/errors.ts";
import { connackProblem, unavailable } from "../../../src/mqtt/refusals.ts";

const refused = (code: number) => Object.assign(new Error("Connection refused"), { code });

describe("a refused CONNACK", () => {
  test("bad credentials name the keys to check, in MQTT 5 and 3.1.1", () => {
    expect(connackProblem(refused(0x86), 5)).toEqual({
      text: "the broker refused the credentials (CONNACK 0x86: bad user name or password): check mqtt.username and mqtt.password",
      fallBack: false,
    });
    expect(connackProblem(refused(5), 4).text).toContain("CONNACK 0x05: not authorized");
  });

  test("a broker that does not speak MQTT 5 makes the next attempt use 3.1.1", () => {
    expect(connackProblem(refused(0x84), 5).fallBack).toBe(true);
    expect(connackProblem(refused(1), 5).fallBack).toBe(true);
    expect(connackProblem(refused(1), 4).fallBack).toBe(false);
  });

  test("a TLS or network error is told as it is", () => {
    expect(connackProblem(new Error("Hostname/IP does not match certificate's altnames"), 5)).toEqual({
      text: "Hostname/IP does not match certificate's altnames",
      fallBack: false,
    });
  });
});

test("a publish without the broker is 503 MQTT_UNAVAILABLE with Retry-After and the reason", async () => {
  const res = errorResponse(unavailable("the broker connection is offline"));
  expect(res.status).toBe(503);
  expect(res.headers.get("retry-after")).toBe("5");
  expect(await res.json()).toEqual({
    error: "Not connected to the MQTT broker",
    code: "MQTT_UNAVAILABLE",
    reason: "the broker connection is offline",
  });
});
