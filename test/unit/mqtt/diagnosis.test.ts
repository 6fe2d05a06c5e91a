// What a dropped broker connection says (src/mqtt/diagnosis.ts): a session taken over by another
// connection with the same client id (MQTT 5 DISCONNECT 0x8E, or closes with no reason right
// after the CONNACK) and TLS failures in words that point at the setting.
import { describe, expect, test } from "bun:test";
import { disconnectProblem, quietClose, tlsProblem } from "../../../src/mqtt/diagnosis.ts";

const TAKEN_OVER = "the broker gave the session to another connection with the same client id";

describe("a session taken over", () => {
  test("MQTT 5 DISCONNECT 0x8E names the client id and is a takeover", () => {
    const drop = disconnectProblem({ cmd: "disconnect", reasonCode: 0x8e }, "stanzagate-gw.example.org");
    expect(drop).toEqual({
      text: `${TAKEN_OVER} (DISCONNECT 0x8e: session taken over): is mqtt.client_id stanzagate-gw.example.org used by two gateways?`,
      takenOver: true,
    });
  });

  test("another DISCONNECT reason is told with the broker's reason string, and is no takeover", () => {
    const drop = disconnectProblem({ cmd: "disconnect", reasonCode: 0x8b, properties: { reasonString: "shutting down" } }, "gw");
    expect(drop).toEqual({ text: "the broker disconnected the gateway (DISCONNECT 0x8b: shutting down)", takenOver: false });
  });

  test("one quiet close is a restart or a takeover (no longer wait); two in a row right after the CONNACK are a takeover", () => {
    expect(quietClose(0, "gw").takenOver).toBe(false);
    expect(quietClose(1, "gw")).toEqual({
      text: "the broker closed the connection with no reason given (a restart, or another client with the client id gw)",
      takenOver: false,
    });
    expect(quietClose(2, "gw").text).toStartWith(TAKEN_OVER);
    expect(quietClose(2, "gw").takenOver).toBe(true);
  });
});

describe("TLS failures", () => {
  test("a reset during the handshake asks whether the port is a TLS listener", () => {
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    expect(tlsProblem(reset)).toBe("TLS handshake failed: is the port a TLS listener? (read ECONNRESET)");
  });

  test("a name mismatch names the host and not the runtime's empty list", () => {
    const err = new Error("Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: ");
    expect(tlsProblem(err)).toBe(
      "the broker's certificate is not for 127.0.0.1 (its subject alternative names do not include it): use a name the certificate carries in mqtt.url",
    );
  });

  test("any other error is left to the CONNACK's reading", () => {
    expect(tlsProblem(new Error("self signed certificate in certificate chain"))).toBeUndefined();
  });
});
