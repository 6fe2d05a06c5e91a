// Which route a path is when several could take it (formats review 2, N1): another route's fixed
// segments take a path only from a catch-all (ntfy's `/:topic`), never from a declarative or
// plugin route whose parameter matches it, as the router alone would have it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type FakeGateway, fakeGateway } from "../helpers/fake-gateway.ts";

const send = (what: string) => `'<message to="ops@localhost" type="chat"><body>${what}</body></message>'`;
const ROUTES = `routes:
  - { path: /status/ping, send: ${send("ping")} }
  - { path: /:svc/up, send: ${send("up")} }
  - { preset: mattermost, path: /hooks/b7rk3w9zq1xg5pd4ma8ycnhf2e, to: ops@localhost }
  - { path: /:svc/alert, send: ${send("alert")} }
`;

let gw: FakeGateway;
beforeAll(async () => {
  gw = await fakeGateway(ROUTES);
});
afterAll(() => gw.stop());

async function post(path: string): Promise<{ status: number; sent: number; route: unknown }> {
  const before = gw.stanzas().length;
  const res = await gw.request(path, { method: "POST", headers: { "content-type": "text/plain" }, body: "x" });
  await res.text();
  const line = gw.logs.filter((l) => l.msg === "http request").at(-1);
  return { status: res.status, sent: gw.stanzas().length - before, route: line?.route };
}

describe("a declarative route's parameter keeps what the router gives it", () => {
  test("/:svc/up serves /status/up although /status/ping starts with /status", async () => {
    expect(await post("/status/up")).toEqual({ status: 201, sent: 1, route: "/:svc/up" });
  });

  test("/:svc/alert serves /hooks/alert although a Mattermost hook is under /hooks", async () => {
    expect(await post("/hooks/alert")).toEqual({ status: 201, sent: 1, route: "/:svc/alert" });
  });
});
