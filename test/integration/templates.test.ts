// Liquid templates end to end: a real Alertmanager-like payload becomes one message per alert,
// received by a real client; a `when:` that is false answers 204 and sends nothing.
import { describe, expect, test } from "bun:test";
import { testServers } from "../helpers/servers.ts";
import { isMessageWithBody } from "../../testbed/xmpp-client.ts";
import { useTestBed } from "../helpers/bed.ts";
import alertmanager from "../fixtures/webhooks/alertmanager-firing.json";

const ROUTES = `
routes:
  - path: /alertmanager/:user
    additional_properties: true
    body:
      status: string
      alerts: { type: array, items: { type: object, additional_properties: true, fields: { status: string, labels: { type: object } } } }
    when: body.status == "firing"
    send: |
      {% for a in body.alerts %}
      <message to="{{ params.user }}@localhost" type="chat">
        <body>[{{ a.status | upcase }}] {{ a.labels.alertname }} on {{ a.labels.instance }}: {{ a.annotations.summary | default: "no summary" }}</body>
      </message>
      {% endfor %}
  - path: /notify/:user
    send: <message to="{{ params.user }}@localhost" type="chat"><body>{{ body.text }}</body></message>
`;

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { gateway: { routes: ROUTES }, clients: ["bob"] });

    const post = (path: string, body: unknown) =>
      bed.gw.post(path, { headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

    describe("an Alertmanager webhook", () => {
      test("three alerts: bob receives three messages, in order, and the answer lists their ids", async () => {
        const res = await post("/alertmanager/bob", alertmanager);
        expect(res.status).toBe(201);
        const answer = (await res.json()) as { status: string; ids: string[] };
        expect(answer.status).toBe("sent");
        expect(answer.ids).toHaveLength(3);
        const bodies: Array<string | null> = [];
        const ids: Array<string | undefined> = [];
        for (let i = 0; i < 3; i++) {
          const msg = await bed.bob.nextStanza(isMessageWithBody);
          bodies.push(msg.getChildText("body"));
          ids.push(msg.attrs.id);
        }
        expect(bodies).toEqual([
          "[FIRING] DiskFull on db1:9100: Disk /var is 97% full",
          "[FIRING] DiskFull on db2:9100: Disk /var is 99% full <really>",
          "[RESOLVED] DiskFull on db3:9100: no summary",
        ]);
        expect(ids).toEqual(answer.ids);
      });

      test("when: false answers 204 and sends nothing", async () => {
        const res = await post("/alertmanager/bob", { ...alertmanager, status: "resolved" });
        expect(res.status).toBe(204);
        // The barrier: a message sent afterwards is the first thing bob receives.
        expect((await post("/notify/bob", { text: "barrier" })).status).toBe(201);
        expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("barrier");
      });
    });
  }); // each server
