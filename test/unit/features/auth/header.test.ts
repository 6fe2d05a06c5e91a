// `kind: header` naming its header (`header: X-Gitlab-Token`): GitLab puts a webhook's secret
// token there, verbatim. Driven through a whole in-process gateway: the answers a sender sees,
// the stanza that is or is not sent, the OpenAPI security scheme, and `check` on a bad name.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fakeGateway, type FakeGateway, FAKE_HEAD } from "../../../helpers/fake-gateway.ts";
import { loadConfig } from "../../../../src/features/index.ts";
import { formatLines } from "../../../../src/config/diagnostics.ts";
import { BUILTIN_PLUGINS } from "../../../../plugins/index.ts";

const TOKEN = "gitlab-secret-token-0123";
const ROUTES = `auth:
  gitlab: { kind: header, header: X-Gitlab-Token, value: "${TOKEN}" }
routes:
  - path: /hook
    auth: gitlab
    send: <message to="dev@localhost" type="chat"><body>{{ body.text }}</body></message>
`;

let gw: FakeGateway;
beforeAll(async () => {
  gw = await fakeGateway(ROUTES);
});
afterAll(() => gw?.stop());

function hook(headers: Record<string, string>): Promise<Response> {
  return gw.request("/hook", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: '{"text":"hi"}' });
}

describe("auth: { kind: header, header: X-Gitlab-Token }", () => {
  test("the right token in the named header passes and the message is sent", async () => {
    const before = gw.stanzas().length;
    expect((await hook({ "X-Gitlab-Token": TOKEN })).status).toBe(201);
    expect(
      gw
        .stanzas()
        .slice(before)
        .map((s) => s.getChildText("body")),
    ).toEqual(["hi"]);
  });

  test("the header's name is matched in any case", async () => {
    expect((await hook({ "x-gitlab-token": TOKEN })).status).toBe(201);
    expect((await hook({ "X-GITLAB-TOKEN": TOKEN })).status).toBe(201);
  });

  test("a wrong token is 401 AUTH_FAILED, and nothing is sent", async () => {
    const before = gw.stanzas().length;
    const res = await hook({ "X-Gitlab-Token": `${TOKEN}x` });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "AUTH_FAILED" });
    expect(gw.stanzas().length).toBe(before);
  });

  test("no token is 401 (AUTH_REQUIRED, as for Authorization), also when it is in Authorization instead", async () => {
    const before = gw.stanzas().length;
    for (const headers of [{}, { authorization: TOKEN }] as Array<Record<string, string>>) {
      const res = await hook(headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: "AUTH_REQUIRED" });
    }
    expect(gw.stanzas().length).toBe(before);
  });

  test("OpenAPI names the header in the security scheme", async () => {
    const doc = (await (await gw.request("/openapi.json")).json()) as { components: { securitySchemes: Record<string, unknown> } };
    expect(doc.components.securitySchemes.gitlab).toMatchObject({ type: "apiKey", in: "header", name: "X-Gitlab-Token" });
  });
});

describe("header: in routes.yaml", () => {
  const check = (auth: string) => {
    const result = loadConfig(`${FAKE_HEAD}auth:\n  a: ${auth}\nroutes: []\n`, {}, BUILTIN_PLUGINS);
    return result.ok ? [] : formatLines("routes.yaml", result.diagnostics);
  };

  test("is optional: without it the value is Authorization's, as before", () => {
    expect(check(`{ kind: header, value: "Bearer t" }`)).toEqual([]);
  });

  test("must be a header field name (RFC 9110 token)", () => {
    expect(check(`{ kind: header, header: "X Gitlab: Token", value: t }`)[0]).toMatch(/auth\.a\.header/);
  });
});
