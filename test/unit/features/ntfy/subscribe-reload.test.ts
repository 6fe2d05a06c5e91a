// What a reload and a stop do to the subscribe API's open streams, in-process: a reload ends the
// streams the new configuration would refuse (read access taken away, subscribe: or the topic
// removed) and keeps the others; a stop ends every stream with its last chunk, never a reset.
import { afterEach, describe, expect, test } from "bun:test";
import { FAKE_HEAD, fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";
import { bearerOf, reloadRoutes } from "../../../helpers/ntfy-reload-routes.ts";

const ROUTES = reloadRoutes("ops@localhost");

let gw: FakeGateway;
afterEach(() => gw.stop());

const as = (user: "reader" | "admin") => ({ headers: bearerOf(user) });
const reload = (routes: string) => gw.gateway.reload(loadTestConfig(FAKE_HEAD + routes));
/** A stream's lines once it has ended: rejects where the stream was reset (errored) instead. */
async function opened(path: string, init: RequestInit = {}) {
  const r = await gw.request(path, init);
  expect(r.status).toBe(200);
  const body = r.text().then((text) =>
    text
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { event: string }),
  );
  return { body, status: r.status };
}
const events = async (s: { body: Promise<Array<{ event: string }>> }) => (await s.body).map((e) => e.event);

describe("a reload checks the open streams again", () => {
  test("read access taken away: that reader's stream ends (with its open event sent), another reader's goes on", async () => {
    gw = await fakeGateway(ROUTES);
    const reader = await opened("/private/alerts/json", as("reader"));
    const admin = await opened("/private/alerts/json", as("admin"));
    await reload(reloadRoutes("ops@localhost", { alertsFromReader: true }));
    expect(await events(reader)).toEqual(["open"]);
    expect(gw.logs.filter((l) => l.msg === "ntfy subscriber closed").map((l) => l.reason)).toEqual([
      "ended by a reload: forbidden, reader may not read topic alerts",
    ]);
    // The admin's is still open: a new message reaches it, and it ends only at the stop.
    expect((await gw.request("/private/alerts", { method: "POST", body: "still read", ...as("admin") })).status).toBe(200);
    await gw.stop();
    expect(await events(admin)).toEqual(["open", "message"]);
  });

  test("subscribe: removed from a route, or a topic removed: those streams end; an unchanged one goes on", async () => {
    gw = await fakeGateway(ROUTES);
    const open = await opened("/open/t1/json");
    const news = await opened("/private/news/json", as("reader"));
    const alerts = await opened("/private/alerts/json", as("reader"));
    await reload(reloadRoutes("ops@localhost", { news: true, openSubscribe: true }));
    expect(await events(open)).toEqual(["open"]);
    expect(await events(news)).toEqual(["open"]);
    expect((await gw.request("/private/alerts", { method: "POST", body: "kept", ...as("admin") })).status).toBe(200);
    await gw.stop();
    expect(await events(alerts)).toEqual(["open", "message"]);
  });
});

describe("a stop", () => {
  test("ends each HTTP stream cleanly (its terminating chunk), not with an error", async () => {
    gw = await fakeGateway(ROUTES);
    const stream = await opened("/open/t1/json");
    await gw.stop();
    expect(await events(stream)).toEqual(["open"]);
  });
});
