// A declarative route in-process, with a delivery that only records: zero, one or many stanzas per
// request, when:, max_stanzas, the answers, nested body shapes and real webhook payloads.
import { describe, expect, test } from "bun:test";
import type { Element } from "ltx";
import type { DeclarativeRouteConfig } from "../../../../src/features/index.ts";
import { declarativeHandler } from "../../../../src/features/routes/handler.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";
import alertmanager from "../../../fixtures/webhooks/alertmanager-firing.json";
import githubIssue from "../../../fixtures/webhooks/github-issues.json";

const HEAD = `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }\nroutes:\n`;

function route(yaml: string, outcome: (i: number) => "sent" | "queued" = () => "sent") {
  const config = loadTestConfig(HEAD + yaml);
  const sent: Element[] = [];
  let n = 0;
  const handler = declarativeHandler(config.routes[0] as DeclarativeRouteConfig, {
    auth: undefined,
    component: "gw.localhost",
    maxBodyBytes: 1_000_000,
    deliver: async (s) => outcome(sent.push(s) - 1),
    newId: () => `id${++n}`,
    iq: { isOnline: () => true, defaultTimeoutMs: 1_000, request: () => Promise.reject(new Error("no iq routes here")) },
  });
  const call = async (
    body: string,
    {
      type = "application/json",
      params = {},
      headers = {},
    }: { type?: string; params?: Record<string, string>; headers?: Record<string, string> } = {},
  ) => {
    const res = await handler({
      request: new Request("http://gw/r", { method: "POST", body, headers: { "content-type": type, ...headers } }),
      params,
      ip: "127.0.0.1",
    });
    return {
      status: res.status,
      json: res.status === 204 ? undefined : ((await res.json()) as Record<string, unknown>),
      sent: sent.splice(0).map(String),
    };
  };
  return call;
}

const ALERTMANAGER = `
  - path: /am
    additional_properties: true
    body:
      status: { type: string, enum: [firing, resolved] }
      alerts:
        type: array
        max_items: 500
        items:
          type: object
          additional_properties: true
          fields:
            status: string
            labels: { type: object }
            annotations: { type: object, required: false }
    when: body.status == "firing"
    send: |
      {% for a in body.alerts %}
      <message to="ops@localhost" type="chat"><body>[{{ a.status }}] {{ a.labels.instance }}</body></message>
      {% endfor %}
`;

describe("one request, many stanzas", () => {
  test("a real Alertmanager payload passes a route written for it: one message per alert, 201 with each id", async () => {
    const res = await route(ALERTMANAGER)(JSON.stringify(alertmanager));
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ status: "sent", id: "id1", ids: ["id1", "id2", "id3"] });
    expect(res.sent).toEqual([
      `<message to="ops@localhost" type="chat" from="gw.localhost" id="id1"><body>[firing] db1:9100</body></message>`,
      `<message to="ops@localhost" type="chat" from="gw.localhost" id="id2"><body>[firing] db2:9100</body></message>`,
      `<message to="ops@localhost" type="chat" from="gw.localhost" id="id3"><body>[resolved] db3:9100</body></message>`,
    ]);
  });

  test("202 when any stanza was queued", async () => {
    const res = await route(ALERTMANAGER, (i) => (i === 1 ? "queued" : "sent"))(JSON.stringify(alertmanager));
    expect(res.status).toBe(202);
    expect(res.json?.status).toBe("queued");
  });

  test("when: false answers 204 and sends nothing", async () => {
    const res = await route(ALERTMANAGER)(JSON.stringify({ ...alertmanager, status: "resolved" }));
    expect(res).toEqual({ status: 204, json: undefined, sent: [] });
  });

  test("a payload that does not fit body: is 400 naming the nested field", async () => {
    const res = await route(ALERTMANAGER)(JSON.stringify({ status: "firing", alerts: [{ status: "firing", labels: "x" }] }));
    expect(res.status).toBe(400);
    expect(res.json?.problems).toEqual([{ field: "alerts[0].labels", problem: "Expected object" }]);
    expect(res.sent).toEqual([]);
  });

  test("send: as a list renders each template", async () => {
    const call = route(`
  - path: /two
    send:
      - <message to="a@localhost"><body>{{ body.text }}</body></message>
      - <message to="b@localhost"><body>{{ body.text }}</body></message>
`);
    const res = await call("hi", { type: "text/plain" });
    expect(res.sent.map((s) => s.replace(/ id="\w+"/, ""))).toEqual([
      `<message to="a@localhost" from="gw.localhost"><body>hi</body></message>`,
      `<message to="b@localhost" from="gw.localhost"><body>hi</body></message>`,
    ]);
  });

  test("past max_stanzas the last stanza says how many more there were", async () => {
    const call = route(`
  - path: /many
    max_stanzas: 3
    send: '{% for i in body.items %}<message to="ops@localhost" type="chat"><body>{{ i }}</body></message>{% endfor %}'
`);
    const res = await call(JSON.stringify({ items: Array.from({ length: 10 }, (_, i) => i) }));
    expect(res.status).toBe(201);
    expect(res.json?.cut).toBe(8);
    expect(res.sent.map((s) => s.replace(/ from="[^"]+" id="\w+"/, ""))).toEqual([
      `<message to="ops@localhost" type="chat"><body>0</body></message>`,
      `<message to="ops@localhost" type="chat"><body>1</body></message>`,
      `<message to="ops@localhost" type="chat"><body>… and 8 more (max_stanzas: 3)</body></message>`,
    ]);
  });

  test("a loop over an empty list sends nothing: 204", async () => {
    const res = await route(ALERTMANAGER)(JSON.stringify({ status: "firing", alerts: [] }));
    expect(res.status).toBe(204);
  });
});

describe("what the request gives the template", () => {
  const GITHUB = `
  - path: /gh
    additional_properties: true
    body:
      action: string
      issue: { type: object, fields: { number: integer, title: string, html_url: string }, additional_properties: true }
    send: |
      <message to="dev@localhost"><body>[{{ headers["x-github-event"] }}] #{{ body.issue.number }} {{ body.issue.title }} by {{ body.sender.login }} {{ body.issue.html_url }}</body></message>
`;
  test("a real GitHub payload passes, and headers are readable by lower-cased name", async () => {
    const res = await route(GITHUB)(JSON.stringify(githubIssue), { headers: { "X-GitHub-Event": "issues" } });
    expect(res.status).toBe(201);
    expect(res.sent[0]).toContain(
      `<body>[issues] #42 Crash when the body has {{ braces }} by octocat https://github.com/example/repo/issues/42</body>`,
    );
  });

  test("credentials are not among the headers a template reads", async () => {
    const call = route(
      `  - path: /h\n    send: <message to="a@localhost"><body>[{{ headers.authorization }}{{ headers.cookie }}]</body></message>\n`,
    );
    const res = await call("{}", { headers: { authorization: "Bearer secret", cookie: "c=1" } });
    expect(res.sent[0]).toContain("<body>[]</body>");
  });

  test('curl -d "backup done" (a form body without =) is body.text', async () => {
    const call = route(
      `  - path: /notify\n    body: { text: string }\n    send: <message to="a@localhost"><body>{{ body.text }}</body></message>\n`,
    );
    const res = await call("backup done", { type: "application/x-www-form-urlencoded" });
    expect(res.status).toBe(201);
    expect(res.sent[0]).toContain("<body>backup done</body>");
    expect((await call("text=a+b", { type: "application/x-www-form-urlencoded" })).sent[0]).toContain("<body>a b</body>");
  });

  test("without body:, the template reads whatever JSON came; body: any too", async () => {
    for (const body of ["", "\n    body: any"]) {
      const call = route(`  - path: /open${body}\n    send: <message to="a@localhost"><body>{{ body.a.b[1] }}</body></message>\n`);
      expect((await call(JSON.stringify({ a: { b: [1, 2] } }))).sent[0]).toContain("<body>2</body>");
    }
  });

  test("undeclared fields are refused unless additional_properties says otherwise", async () => {
    const closed = route(
      `  - path: /c\n    body: { text: string }\n    send: <message to="a@localhost"><body>{{ body.text }}</body></message>\n`,
    );
    expect((await closed(JSON.stringify({ text: "x", extra: 1 }))).status).toBe(400);
  });

  test("strict: a field the payload lacks is 400 MISSING_FIELD naming it", async () => {
    const call = route(
      `  - path: /s\n    strict: true\n    send: <message to="a@localhost"><body>{{ body.alerts[0].labels.x }}</body></message>\n`,
    );
    const res = await call(JSON.stringify({ alerts: [{ labels: {} }] }));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "MISSING_FIELD", field: "body.alerts[0].labels.x" });
  });
});
