// post_msg on a server with two virtual hosts, each granting the gateway XEP-0356 message
// permission in its own advertisement: a user of the second host posts, and the recipient sees the
// message from that user (as mod_post_msg loaded on that host would send it). xmpp.host stays the
// default domain for bare names.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startProsody } from "../../../testbed/prosody.ts";
import type { XmppServer } from "../../../testbed/xmpp-server.ts";
import { registerUser } from "../../../testbed/prosody-users.ts";
import { allOf, connectClient, isMessageFrom, messageWithBody, type TestClient } from "../../../testbed/xmpp-client.ts";
import { startGateway, type TestGateway } from "../../helpers/gateway.ts";
import { waitFor } from "../../../testbed/timeouts.ts";

const SECOND = "second.localhost";
const THIRD = "third.localhost";

let prosody: XmppServer;
let gw: TestGateway;
let bob: TestClient;

beforeAll(async () => {
  // Reopened sections: two more hosts, the second privileging the gateway, the third not.
  prosody = await startProsody({
    extraConfig: `
VirtualHost "${SECOND}"
  modules_enabled = { "privilege" }
  privileged_entities = { ["gateway.localhost"] = { message = "outgoing" } }

VirtualHost "${THIRD}"
`,
  });
  for (const host of [SECOND, THIRD])
    await registerUser({ prosodyctl: Bun.which("prosodyctl") ?? "prosodyctl", configFile: prosody.configFile, host }, "dora", "dora-pw");
  gw = await startGateway(prosody, {
    waitForPrivileges: true,
    routes: `
auth:
  users: { kind: xmpp, server: "xmpp://127.0.0.1:${prosody.c2sPort}" }
routes:
  - plugin: post_msg
    auth: users
`,
  });
  bob = await connectClient(prosody, "bob");
});

afterAll(async () => {
  await bob?.stop();
  await gw?.stop();
  await prosody?.stop();
});

const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
// A recipient without @host goes to the sender's host (as the original): bob is named in full.
const post = (text: string, authorization: string, to = "bob@localhost") =>
  gw.post(`/msg/${to}`, { headers: { "content-type": "text/plain", authorization }, body: text });

describe("post_msg with two virtual hosts granting message permission", () => {
  test("/health lists each host's grants", async () => {
    const hosts = async () =>
      ((await (await fetch(`${gw.url}/health`)).json()) as { xmpp: { hosts: Record<string, { message: string }> } }).xmpp.hosts;
    // Each host advertises on its own: bounded polling of /health until the second one is in.
    await waitFor(async () => (await hosts())[SECOND] !== undefined, 10_000, `${SECOND} in /health`, undefined, 50);
    const seen = await hosts();
    expect(Object.keys(seen)).toEqual(["localhost", SECOND]);
    expect(seen[SECOND]).toMatchObject({ message: "outgoing", roster: "none", namespace: "urn:xmpp:privilege:2" });
    expect(seen.localhost).toMatchObject({ message: "outgoing", roster: "both" });
    // The second host advertising first is no reason to warn about xmpp.host's grants.
    expect(gw.logs.filter((l) => l.level === "warn" && String(l.msg).startsWith("no XEP-0356"))).toEqual([]);
  });

  test("a user of the second host posts, and bob gets the message from dora@second.localhost", async () => {
    const res = await post("from the second host", basic(`dora@${SECOND}`, "dora-pw"));
    expect(res.status).toBe(201);
    const message = await bob.nextStanza(allOf(isMessageFrom(`dora@${SECOND}`), messageWithBody("from the second host")));
    expect(message.attrs.to).toStartWith("bob@localhost");
  });

  test("a bare name still means a user of xmpp.host", async () => {
    expect((await post("bare alice", basic("alice", "alice-pw"), "bob")).status).toBe(201);
    await bob.nextStanza(allOf(isMessageFrom("alice@localhost"), messageWithBody("bare alice")));
  });

  test("a user of a host that granted nothing gets the fallback sender, the component", async () => {
    expect((await post("from the third host", basic(`dora@${THIRD}`, "dora-pw"))).status).toBe(201);
    await bob.nextStanza(allOf(isMessageFrom("gateway.localhost"), messageWithBody("from the third host")));
  });
});
