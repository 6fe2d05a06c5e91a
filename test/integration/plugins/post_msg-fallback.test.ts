// post_msg when the server grants no XEP-0356 message permission: the gateway says so once the
// link is up, and messages come from fallback_from, an address of the component's domain.
import { describe, expect, test } from "bun:test";
import { testServers } from "../../helpers/servers.ts";
import { allOf, isMessageFrom, messageWithBody } from "../../../testbed/xmpp-client.ts";
import { logTail } from "../../helpers/gateway.ts";
import { waitFor } from "../../../testbed/timeouts.ts";
import { useTestBed } from "../../helpers/bed.ts";

for (const server of testServers())
  describe(server.name, () => {
    let fallback: string;
    const bed = useTestBed(server, {
      server: { privileges: null },
      gateway: (xmpp) => {
        fallback = `notify@${xmpp.componentDomain}`;
        return {
          routes: `
auth:
  users: { kind: xmpp, server: "xmpp://127.0.0.1:${xmpp.c2sPort}" }
routes:
  - plugin: post_msg
    auth: users
    options: { fallback_from: "${fallback}" }
`,
        };
      },
      clients: ["bob"],
    });

    const ALICE = `Basic ${btoa("alice@localhost:alice-pw")}`;

    describe("without the XEP-0356 message permission", () => {
      test("the gateway warns, once the link is up, that messages will not come from the user", async () => {
        const isWarning = (l: Record<string, unknown>) => l.level === "warn" && String(l.msg).includes("no XEP-0356 message permission");
        await waitFor(() => bed.gw.logs.some(isWarning), 10_000, "the missing-permission warning", logTail(bed.gw.logs));
        expect(bed.gw.logs.filter(isWarning)).toHaveLength(1);
        expect(bed.gw.logs.find(isWarning)).toMatchObject({ plugin: "post_msg", host: "localhost", fallback_from: fallback });
      });

      test("alice's message reaches bob from fallback_from, and the answer says so", async () => {
        const res = await bed.gw.post("/msg/bob", {
          headers: { authorization: ALICE, "content-type": "text/plain" },
          body: "from the gateway",
        });
        expect(res.status).toBe(201);
        expect(await res.json()).toEqual({ status: "sent", to: "bob@localhost", from: fallback });
        const message = await bed.bob.nextStanza(allOf(isMessageFrom(fallback), messageWithBody("from the gateway")));
        expect(message.attrs).toMatchObject({ from: fallback, to: "bob@localhost", type: "chat" });
      });
    });
  });
