// Prosody 0.12 offers no TLS on its component port. The alternative docs/operations.md shows: a TLS terminator
// (socat) on the server's machine in front of the component port, and Stanzagate dialling it with
// xmpps://, so the certificate is verified by Stanzagate itself and only one end needs a tunnel.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import type { Subprocess } from "bun";
import { createGateway, type Gateway } from "../../src/app.ts";
import { createLogger } from "../../src/log.ts";
import { configHead, loadTestConfig, logTail } from "../helpers/gateway.ts";
import { waitFor } from "../../testbed/timeouts.ts";
import { freePort } from "../../testbed/ports.ts";
import { forgetProcess, trackProcess } from "../../testbed/cleanup.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { testServers } from "../helpers/servers.ts";
import { makeTestCa } from "../helpers/test-ca.ts";
import { connectClient, messageWithBody, type TestClient } from "../../testbed/xmpp-client.ts";

const ROUTES = `routes:
  - path: /notify/:user
    body: { text: string }
    send: <message to="{{ params.user }}@localhost" type="chat"><body>{{ body.text }}</body></message>
`;
const LISTEN_TIMEOUT_MS = 5_000;

const prosodyKind = testServers().find((s) => s.name === "prosody");

describe.if(prosodyKind !== undefined)("prosody: the component link through a TLS terminator (socat)", () => {
  let prosody: XmppServer;
  let socat: Subprocess;
  let tlsPort: number;
  let caFile: string;
  let bob: TestClient;
  let gw: Gateway | undefined;

  beforeAll(async () => {
    prosody = await prosodyKind!.start();
    const ca = makeTestCa("tunnel");
    caFile = ca.caFile;
    const { bundle } = ca.issue(["localhost", "127.0.0.1"]);
    tlsPort = await freePort();
    // The command docs/operations.md shows, on loopback ports.
    socat = Bun.spawn(
      [
        "socat",
        `OPENSSL-LISTEN:${tlsPort},bind=127.0.0.1,reuseaddr,fork,cert=${bundle},verify=0`,
        `TCP:127.0.0.1:${prosody.componentPort}`,
      ],
      { stdout: "ignore", stderr: "pipe" },
    );
    trackProcess(socat);
    await waitListening(tlsPort);
    bob = await connectClient(prosody, "bob");
  });

  afterAll(async () => {
    await gw?.stop({ flushTimeoutMs: 100 });
    await bob?.stop();
    if (socat) {
      socat.kill("SIGTERM");
      await socat.exited;
      forgetProcess(socat);
    }
    await prosody?.stop();
  });

  test("Stanzagate dials xmpps:// to the terminator, verifies its certificate, and bob receives the message", async () => {
    const head = configHead(prosody).replace(
      /server: xmpp:\/\/[^\n]+/,
      `server: xmpps://127.0.0.1:${tlsPort}\n  tls: { ca_file: "${caFile}" }`,
    );
    const logs: Array<Record<string, unknown>> = [];
    gw = await createGateway(loadTestConfig(head + ROUTES), {
      log: createLogger({ level: "debug", write: (l) => void logs.push(JSON.parse(l)) }),
    });
    const url = `http://127.0.0.1:${gw.listen()}`;
    const link = gw.link;
    await waitFor(() => link.status === "online", 10_000, "the link through the terminator", logTail(logs));
    const res = await fetch(`${url}/notify/bob`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "through the tunnel" }),
    });
    expect(res.status).toBe(201);
    await bob.nextStanza(messageWithBody("through the tunnel"));
  });
});

/** Until a TCP connection to the port is accepted (socat has bound it), bounded. */
async function waitListening(port: number): Promise<void> {
  const accepts = () =>
    new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
  await waitFor(accepts, LISTEN_TIMEOUT_MS, `socat to listen on ${port}`);
}
