// The gateway described for tools: GET /openapi.json from the loaded routes, and `stanzagate schema`.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { parse as parseYaml } from "yaml";
import { createGateway, type Gateway } from "../../../../src/app.ts";
import { silentLogger } from "../../../../src/log.ts";
import { routesYamlSchema, SCHEMA_DIALECT } from "../../../../src/cli/schema.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";

const TOKEN = "openapi-token-0123456789";
const CONFIG = `
xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }
store: ":memory:"
auth:
  ops: { kind: bearer, tokens: [{ name: ci, token: "${TOKEN}" }] }
  github: { kind: hmac, format: github, secret: s3cret }
  users: { kind: xmpp }
routes:
  - plugin: post_msg
    path: /msg
    auth: users
  - path: /alert/:who
    auth: ops
    body: { text: string, level: { type: string, enum: [info, critical], default: info } }
    send: <message to="{{ params.who }}@localhost"><body>{{ body.text }}</body></message>
  - path: /github
    auth: github
    send: <message to="ops@localhost"><body>{{ body.zen }}</body></message>
  - path: /version/:host
    method: GET
    send: <iq type="get" to="{{ params.host }}"><query xmlns="jabber:iq:version"/></iq>
`;

type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        responses: Record<string, unknown>;
        parameters?: Array<{ name: string; in: string; required: boolean }>;
        security?: unknown[];
        requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
      }
    >
  >;
  components: { securitySchemes: Record<string, Record<string, unknown>> };
};

async function gatewayWith(extra = ""): Promise<Gateway> {
  return createGateway(loadTestConfig(CONFIG + extra), { log: silentLogger });
}

describe("GET /openapi.json", () => {
  let gateway: Gateway;
  let doc: Doc;
  beforeAll(async () => {
    gateway = await gatewayWith();
    const res = await gateway.handle(new Request("http://gw/openapi.json"));
    expect(res.status).toBe(200);
    doc = (await res.json()) as Doc;
  });
  afterAll(() => gateway.stop({ flushTimeoutMs: 0 }));

  test("is an OpenAPI 3.1 document: version, info, and every operation with responses", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(typeof doc.info.title).toBe("string");
    expect(typeof doc.info.version).toBe("string");
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path).toStartWith("/");
      for (const op of Object.values(item)) {
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        // Every {param} of the path template is declared, as a required path parameter.
        const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        expect((op.parameters ?? []).filter((p) => p.in === "path" && p.required).map((p) => p.name)).toEqual(templated as string[]);
        for (const s of op.security ?? [])
          for (const name of Object.keys(s as object)) expect(doc.components.securitySchemes[name]).toBeDefined();
      }
    }
  });

  test("contains each route: declarative with its body schema, the iq route with 200, the plugin's", () => {
    const alert = doc.paths["/alert/{who}"]?.post;
    expect(alert?.security).toEqual([{ ops: [] }]);
    expect(alert?.requestBody?.content["application/json"]?.schema).toMatchObject({
      type: "object",
      required: ["text"],
      additionalProperties: false,
      properties: { text: { type: "string" }, level: { default: "info", anyOf: [{ const: "info" }, { const: "critical" }] } },
    });
    expect(Object.keys(alert?.responses ?? {})).toEqual(expect.arrayContaining(["201", "202", "400", "401", "503"]));
    expect(Object.keys(doc.paths["/version/{host}"]?.get?.responses ?? {})).toEqual(expect.arrayContaining(["200", "504"]));
    expect(doc.paths["/version/{host}"]?.get?.requestBody).toBeUndefined();
    expect(doc.paths["/github"]?.post?.security).toEqual([{ github: [] }]);
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/msg")).length).toBeGreaterThan(0);
  });

  test("auth schemes are security schemes: bearer, basic (xmpp), hmac as an apiKey header", () => {
    expect(doc.components.securitySchemes).toMatchObject({
      ops: { type: "http", scheme: "bearer" },
      users: { type: "http", scheme: "basic" },
      github: { type: "apiKey", in: "header", name: "X-Hub-Signature-256" },
    });
  });

  test("is served without the routes' auth", async () => {
    expect((await gateway.handle(new Request("http://gw/openapi.json"))).status).toBe(200);
  });
});

describe("openapi: config", () => {
  test("enabled: false serves no description (404)", async () => {
    const gateway = await gatewayWith("openapi: { enabled: false }\n");
    try {
      expect((await gateway.handle(new Request("http://gw/openapi.json"))).status).toBe(404);
    } finally {
      await gateway.stop({ flushTimeoutMs: 0 });
    }
  });

  test("another path, behind its own auth scheme", async () => {
    const gateway = await gatewayWith("openapi: { path: /api.json, auth: ops }\n");
    try {
      expect((await gateway.handle(new Request("http://gw/api.json"))).status).toBe(401);
      const res = await gateway.handle(new Request("http://gw/api.json", { headers: { authorization: `Bearer ${TOKEN}` } }));
      expect(res.status).toBe(200);
      expect(((await res.json()) as Doc).openapi).toBe("3.1.0");
    } finally {
      await gateway.stop({ flushTimeoutMs: 0 });
    }
  });
});

describe("stanzagate schema", () => {
  const VALID = `
# yaml-language-server: $schema=./routes.schema.json
xmpp: { server: "xmpp://127.0.0.1:5347", component: gw.localhost, secret: s, host: localhost }
auth:
  github: { kind: hmac, format: github, secret: x }
routes:
  - plugin: post_msg
    path: /msg
  - path: /alert
    auth: github
    send: <message to="ops@localhost"><body>{{ body.text }}</body></message>
`;

  test("prints a JSON Schema (2020-12) of routes.yaml, the one check uses", async () => {
    const proc = Bun.spawn(["node_modules/.bin/bun", "src/main.ts", "schema"], { stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    const printed = JSON.parse(out) as Record<string, unknown>;
    expect(printed.$schema).toBe(SCHEMA_DIALECT);
    expect(printed).toEqual(JSON.parse(JSON.stringify(routesYamlSchema())));
  });

  test("a valid routes.yaml validates against it; misspelt keys, a wrong kind or a missing xmpp do not", () => {
    const schema = routesYamlSchema();
    expect(Value.Check(schema, parseYaml(VALID))).toBe(true);
    expect(Value.Check(schema, parseYaml(VALID.replace("path: /alert", "pth: /alert")))).toBe(false);
    expect(Value.Check(schema, parseYaml(VALID.replace("format: github", "format: bitbucket")))).toBe(false);
    expect(Value.Check(schema, parseYaml(VALID.replace(/^xmpp:.*$/m, "")))).toBe(false);
  });
});
