// Stopping the link while the server goes away at the same moment (Ctrl-C on `make demo` signals
// both; a host shutting down stops both): the socket's close ends the stop, which does not wait
// out the stream timeout (10 s) for a closing tag that will never come.
import { afterEach, expect, test } from "bun:test";
import type { TCPSocketListener } from "bun";
import { XmppLink } from "../../src/xmpp/link.ts";
import { silentLogger } from "../../src/log.ts";
import { waitFor } from "../../testbed/timeouts.ts";

const COMPONENT = "gw.example.com";
let server: TCPSocketListener | undefined;

afterEach(() => server?.stop(true));

/**
 * A XEP-0114 server on loopback that accepts any handshake and, when the component closes its
 * stream, closes the socket without sending its own closing tag (RFC 6120 §4.4), as a server
 * shutting down does.
 */
function serverGoingAway(): TCPSocketListener {
  return Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket, data) {
        const text = data.toString();
        if (text.includes("<stream:stream")) {
          socket.write(
            `<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='${COMPONENT}'>`,
          );
        }
        if (text.includes("<handshake")) socket.write("<handshake/>");
        if (text.includes("</stream:stream>")) socket.end();
      },
    },
  });
}

test("stop returns once the server closed the socket, without waiting for its closing tag", async () => {
  server = serverGoingAway();
  const link = new XmppLink({
    server: `xmpp://127.0.0.1:${server.port}`,
    component: COMPONENT,
    secret: "s",
    maxStanzaBytes: 500_000,
    host: "example.com",
    reconnect: { initial_ms: 1, max_ms: 2 },
    iqTimeoutMs: 1_000,
    privilegeGraceMs: 10,
    log: silentLogger,
  });
  link.start();
  await waitFor(() => link.status === "online", 2_000, "the link to come online", undefined, 5);
  expect(link.status).toBe("online");
  // Without the fix this waits the 10 s stream timeout, past the test's 5 s.
  await link.stop();
  expect(link.status).toBe("stopped");
});
