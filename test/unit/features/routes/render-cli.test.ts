// `stanzagate render`: the stanzas a request would produce, printed without connecting.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parseArgs } from "../../../../src/cli/args.ts";
import { renderCommand, type RenderRequest } from "../../../../src/features/routes/render-cli.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";

const CONFIG = `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }
routes:
  - path: /am/:room
    when: body.status != "resolved"
    send: |
      {% for a in body.alerts %}
      <message to="{{ params.room }}@localhost" type="{{ query.type | default: "chat" }}">
        <body>{{ a.name }} ({{ headers["x-source"] | default: "?" }})</body>
      </message>
      {% endfor %}
  - path: /typed
    body: { to: jid, text: string }
    send: <message to="{{ body.to }}"><body>{{ body.text }}</body></message>
`;

async function render(req: Partial<Omit<RenderRequest, "body">> & { body?: string }) {
  const out: string[] = [];
  const err: string[] = [];
  const { body, ...rest } = req;
  const code = await renderCommand(
    loadTestConfig(CONFIG),
    { route: "/", headers: [], query: [], pretty: false, ...rest, ...(body !== undefined ? { body: new TextEncoder().encode(body) } : {}) },
    {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    },
  );
  return { code, out, err };
}

describe("stanzagate render", () => {
  test("prints one stanza per line, with params, query and headers filled", async () => {
    const res = await render({
      route: "/am/ops",
      body: `{"alerts":[{"name":"a"},{"name":"b"}]}`,
      headers: [["X-Source", "prom"]],
      query: [["type", "normal"]],
    });
    expect(res).toEqual({
      code: 0,
      err: [],
      out: [
        `<message to="ops@localhost" type="normal" from="gw.localhost" id="render-1"><body>a (prom)</body></message>`,
        `<message to="ops@localhost" type="normal" from="gw.localhost" id="render-2"><body>b (prom)</body></message>`,
      ],
    });
  });

  test("--pretty indents child elements", async () => {
    const res = await render({ route: "/am/ops", body: `{"alerts":[{"name":"a"}]}`, pretty: true });
    expect(res.out).toEqual([
      `<message to="ops@localhost" type="chat" from="gw.localhost" id="render-1">\n  <body>a (?)</body>\n</message>`,
    ]);
  });

  test("when: false says 204 and prints nothing", async () => {
    const res = await render({ route: "/am/ops", body: `{"status":"resolved","alerts":[{"name":"a"}]}` });
    expect(res.code).toBe(0);
    expect(res.out).toEqual([]);
    expect(res.err[0]).toMatch(/^204: nothing would be sent/);
  });

  test("an error is the HTTP answer the caller would get, exit 1", async () => {
    const res = await render({ route: "/typed", body: `{"to":"not a jid","text":"x"}` });
    expect(res.code).toBe(1);
    expect(res.err[0]).toStartWith(`400 {"error":"Body does not match what this route accepts","code":"INVALID_BODY"`);
  });

  test("an unknown path lists the declarative routes, exit 2", async () => {
    const res = await render({ route: "/nope" });
    expect(res.code).toBe(2);
    expect(res.err[0]).toBe("no declarative route serves any method /nope (declarative routes: POST /am/:room, POST /typed)");
  });

  test("arguments: repeated --header and --query, --route required", () => {
    expect(
      parseArgs([
        "render",
        "--config",
        "r.yaml",
        "--route",
        "/x",
        "--header",
        "X-A: 1",
        "--header",
        "b:2",
        "--query",
        "k=v",
        "--body",
        "f.json",
        "--method",
        "post",
        "--pretty",
        "--xml",
      ]),
    ).toEqual({
      command: "render",
      config: "r.yaml",
      render: {
        route: "/x",
        headers: [
          ["X-A", "1"],
          ["b", "2"],
        ],
        query: [["k", "v"]],
        bodyFile: "f.json",
        method: "post",
        pretty: true,
        xml: true,
      },
    });
    expect(parseArgs(["render"])).toEqual({ error: expect.stringContaining("--route") });
    expect(parseArgs(["render", "--route", "/x", "--header", "nocolon"])).toEqual({ error: expect.stringContaining("Name:value") });
  });

  test("the command line reads --body from a file and prints to stdout", async () => {
    const dir = join(import.meta.dir, "../../../../.cache/render-test");
    await Bun.write(join(dir, "routes.yaml"), CONFIG);
    await Bun.write(join(dir, "body.json"), `{"alerts":[{"name":"disk <full>"}]}`);
    const proc = Bun.spawn(
      [
        process.execPath,
        join(import.meta.dir, "../../../../src/main.ts"),
        "render",
        "--config",
        join(dir, "routes.yaml"),
        "--route",
        "/am/ops",
        "--body",
        join(dir, "body.json"),
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect({ out, err, code }).toEqual({
      out: `<message to="ops@localhost" type="chat" from="gw.localhost" id="render-1"><body>disk &lt;full&gt; (?)</body></message>\n`,
      err: "",
      code: 0,
    });
  });
});
