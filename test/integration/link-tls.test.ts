// The component link over direct TLS (xmpp.server: xmpps://): ejabberd's ejabberd_service with
// `tls: true`, its certificate issued by a CA this test makes. Trusted CA and matching name: the
// link comes up and stanzas flow; any other CA or name: refused, said on /health, retried forever.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createGateway, type Gateway } from "../../src/app.ts";
import { createLogger } from "../../src/log.ts";
import { startEjabberd } from "../../testbed/ejabberd.ts";
import { configHead, loadTestConfig, logTail } from "../helpers/gateway.ts";
import { waitFor } from "../../testbed/timeouts.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { testServers } from "../helpers/servers.ts";
import { makeTestCa, type TestCa } from "../helpers/test-ca.ts";
import { connectClient, messageWithBody, type TestClient } from "../../testbed/xmpp-client.ts";

const ROUTES = `routes:
  - path: /notify/:user
    body: { text: string }
    send: <message to="{{ params.user }}@localhost" type="chat"><body>{{ body.text }}</body></message>
`;

type Health = { xmpp: { state: string; last_error?: string } };

const withEjabberd = testServers().some((s) => s.name === "ejabberd");

describe.if(withEjabberd)("ejabberd: the component link over direct TLS (xmpps://)", () => {
  let ca: TestCa;
  let ejabberd: XmppServer;
  let bob: TestClient;
  const gateways: Gateway[] = [];

  beforeAll(async () => {
    ca = makeTestCa("link");
    ejabberd = await startEjabberd({ componentTls: { certfile: ca.issue(["localhost", "127.0.0.1"]).bundle } });
    bob = await connectClient(ejabberd, "bob");
  });

  afterAll(async () => {
    for (const g of gateways) await g.stop({ flushTimeoutMs: 100 });
    await bob?.stop();
    await ejabberd?.stop();
  });

  /** The test bed's head with the link switched to xmpps:// and `tls` lines added. */
  async function gatewayWith(tls: string, host = "127.0.0.1") {
    const head = configHead(ejabberd).replace(/server: xmpp:\/\/127\.0\.0\.1:(\d+)/, `server: xmpps://${host}:$1\n  tls: ${tls}`);
    const logs: Array<Record<string, unknown>> = [];
    const gw = await createGateway(loadTestConfig(head + ROUTES), {
      log: createLogger({ level: "debug", write: (l) => void logs.push(JSON.parse(l)) }),
    });
    gateways.push(gw);
    const url = `http://127.0.0.1:${gw.listen()}`;
    const health = async () => (await (await fetch(`${url}/health`)).json()) as Health;
    return { gw, url, logs, health };
  }

  const failedAttempts = (logs: Array<Record<string, unknown>>) => logs.filter((l) => l.msg === "cannot reach the XMPP server").length;

  test("with the CA trusted, the link comes up over TLS and bob receives the message", async () => {
    const { gw, url, logs, health } = await gatewayWith(`{ ca_file: "${ca.caFile}" }`);
    await waitFor(() => gw.link.status === "online", 10_000, "the TLS link", logTail(logs));
    const res = await fetch(`${url}/notify/bob`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "over TLS" }),
    });
    expect(res.status).toBe(201);
    await bob.nextStanza(messageWithBody("over TLS"));
    expect((await health()).xmpp.state).toBe("online");
    await gw.stop({ flushTimeoutMs: 100 });
  });

  test("the name may be given apart from the address (server_name): localhost, dialled at 127.0.0.1", async () => {
    const { gw, logs } = await gatewayWith(`{ ca_file: "${ca.caFile}", server_name: localhost }`);
    await waitFor(() => gw.link.status === "online", 10_000, "the TLS link", logTail(logs));
    await gw.stop({ flushTimeoutMs: 100 });
  });

  test("a certificate from another CA is refused: /health says why, and the link keeps retrying", async () => {
    const other = makeTestCa("other");
    const { gw, logs, health } = await gatewayWith(`{ ca_file: "${other.caFile}" }`);
    await waitFor(() => failedAttempts(logs) >= 2, 10_000, "two refused attempts", logTail(logs));
    const body = await health();
    expect(body.xmpp.state).not.toBe("online");
    expect(body.xmpp.last_error).toStartWith("TLS: the server's certificate is not trusted: ");
    expect(body.xmpp.last_error).toContain("check xmpp.tls.ca_file");
    expect(gw.link.status).not.toBe("stopped");
  });

  test("without a CA file, the system store does not know the test CA: refused", async () => {
    const { logs, health } = await gatewayWith("{}");
    await waitFor(() => failedAttempts(logs) >= 1, 10_000, "a refused attempt", logTail(logs));
    expect((await health()).xmpp.last_error).toStartWith("TLS: the server's certificate is not trusted: ");
  });

  test("a certificate that does not carry the name checked is refused", async () => {
    const { logs, health } = await gatewayWith(`{ ca_file: "${ca.caFile}", server_name: xmpp.example.org }`);
    await waitFor(() => failedAttempts(logs) >= 2, 10_000, "two refused attempts", logTail(logs));
    const error = (await health()).xmpp.last_error ?? "";
    expect(error).toStartWith("TLS: the server's certificate is not for the name checked: ");
    expect(error).toContain("xmpp.example.org");
    expect(error).toContain("set xmpp.tls.server_name");
  });

  test("a CA file that cannot be read is said on /health, and retried (it may appear later)", async () => {
    const { logs, health } = await gatewayWith(`{ ca_file: /nonexistent/ca.pem }`);
    await waitFor(() => failedAttempts(logs) >= 2, 10_000, "two failed attempts", logTail(logs));
    expect((await health()).xmpp.last_error).toStartWith("cannot read xmpp.tls.ca_file /nonexistent/ca.pem: ");
  });
});
