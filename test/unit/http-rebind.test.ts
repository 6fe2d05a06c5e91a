// A reload that keeps http.listen but changes what the listener is bound with (the body limit, the
// certificate) rebinds the same port: the old listener closes and the new one binds at once.
import { afterAll, expect, test } from "bun:test";
import { createGateway, type Gateway } from "../../src/app.ts";
import { createLogger } from "../../src/log.ts";
import { loadTestConfig } from "../helpers/gateway.ts";
import { freePort } from "../../testbed/ports.ts";

let gateway: Gateway | undefined;
afterAll(() => gateway?.stop({ flushTimeoutMs: 0 }));

test("a new http.max_body_bytes on a fixed port is applied by a reload, on the same port", async () => {
  const port = await freePort();
  const config = (maxBody: number) =>
    loadTestConfig(`
xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }
http: { listen: "127.0.0.1:${port}", max_body_bytes: ${maxBody} }
store: ":memory:"
routes:
  - path: /notify
    method: POST
    send: '<message to="bob@localhost"><body>{{ body.text }}</body></message>'
`);
  gateway = await createGateway(config(100), { log: createLogger({ level: "error", write: () => {} }) });
  gateway.listen();
  const post = (bytes: number) =>
    fetch(`http://127.0.0.1:${port}/notify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "x".repeat(bytes) }),
    });
  expect((await post(500)).status).toBe(413);
  await gateway.reload(config(1_000));
  expect((await post(500)).status).toBe(202);
});
