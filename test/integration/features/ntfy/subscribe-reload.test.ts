// What a reload and a stop do to `curl -N` streams on a real gateway, on each real server: a reload
// that takes read access away, or the route's subscribe:, ends those streams; a stop ends every
// stream with the chunked body's last chunk, so curl sees a normal end (exit 0), never a reset.
import { describe, expect, test } from "bun:test";
import { testServers } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { configHead, loadTestConfig, startGateway } from "../../../helpers/gateway.ts";
import { bearerOf, reloadRoutes } from "../../../helpers/ntfy-reload-routes.ts";
import { wsClient } from "../../../helpers/ntfy-streams.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";

const WAIT_MS = 10_000;
const ROUTES = reloadRoutes("alice@localhost");

/** `curl -sN <url>` with a bearer token or none: its output as it comes, and how it ended. */
function curl(url: string, user?: "reader" | "admin") {
  const auth = user ? ["-H", `Authorization: ${bearerOf(user).authorization}`] : [];
  const proc = Bun.spawn(["curl", "-sN", ...auth, url], { stdout: "pipe", stderr: "ignore" });
  let text = "";
  void (async () => {
    for await (const chunk of proc.stdout) text += new TextDecoder().decode(chunk);
  })();
  const events = () => text.split("\n").flatMap((l) => (l.startsWith("{") ? [(JSON.parse(l) as { event: string }).event] : []));
  return { proc, events };
}

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { gateway: { routes: ROUTES } });
    const opened = async (url: string, user?: "reader" | "admin") => {
      const sub = curl(url, user);
      await waitFor(() => sub.events().includes("open"), WAIT_MS, "the open event");
      return sub;
    };

    test("a reload that takes read access and subscribe: away ends those streams (curl exits 0, a WebSocket 1008); the admin's goes on", async () => {
      const reader = await opened(`${bed.gw.url}/private/alerts/json`, "reader");
      const socket = wsClient(`${bed.gw.url.replace("http", "ws")}/private/alerts/ws`, bearerOf("reader"));
      await socket.next("open");
      const admin = await opened(`${bed.gw.url}/private/alerts/json`, "admin");
      const open = await opened(`${bed.gw.url}/open/t1/json`);
      try {
        const next = reloadRoutes("alice@localhost", { alertsFromReader: true, openSubscribe: true });
        await bed.gw.gateway.reload(loadTestConfig(configHead(bed.server) + next));
        expect([await reader.proc.exited, await open.proc.exited]).toEqual([0, 0]);
        expect(await socket.closed).toEqual({ code: 1008, reason: "ended by a reload: forbidden, reader may not read topic alerts" });
        expect((await bed.gw.post("/private/alerts", { body: "after", headers: bearerOf("admin") })).status).toBe(200);
        await waitFor(() => admin.events().includes("message"), WAIT_MS, "the admin's message");
        expect(admin.proc.exitCode).toBeNull();
      } finally {
        for (const p of [reader, admin, open]) p.proc.kill();
      }
    });

    test("a stop ends a curl -N stream with the last chunk: curl exits 0", async () => {
      // The admin may read under the configuration before the reload and after it.
      const sub = await opened(`${bed.gw.url}/private/alerts/json`, "admin");
      await bed.gw.stop();
      expect(await sub.proc.exited).toBe(0);
      // The bed's own gateway, back for the bed's teardown.
      bed.gw = await startGateway(bed.server, { routes: ROUTES });
    });
  });
