// Home Assistant's ntfy integration against the subscribe API, request by request as its source
// and aiontfy's make them (test/fixtures/subscribe/home-assistant.json, with the links): the set-up's
// GET /v1/account, aiontfy's can_subscribe (GET /<topic>/auth), then the WebSocket with the topic's
// filters, every frame read as aiontfy's Notification would read it.
import { describe, expect, test } from "bun:test";
import { serverKind } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { wsClient } from "../../../helpers/ntfy-streams.ts";
import { publish, SUBSCRIBE_ROUTES, TOKENS } from "../../../helpers/ntfy-subscribe-routes.ts";

const HA = (await Bun.file(`${import.meta.dir}/../../../fixtures/subscribe/home-assistant.json`).json()) as {
  requests: Array<{ step: string; path: string; query?: Record<string, string>; headers: Record<string, string> }>;
};

describe("prosody", () => {
  const bed = useTestBed(serverKind("prosody"), { gateway: { routes: SUBSCRIBE_ROUTES } });
  const url = (path: string) => `${bed.gw.url}${path}`;

  describe("Home Assistant (test/fixtures/subscribe/home-assistant.json)", () => {
    const step = (name: string) => {
      const found = HA.requests.find((r) => r.step === name);
      if (!found) throw new Error(`fixture has no ${name} step`);
      const headers = { ...found.headers, Authorization: `Bearer ${TOKENS.reader}` };
      return { ...found, path: found.path.replace("{topic}", "backups"), headers };
    };

    // Home Assistant sets the integration up only once this answers 200 (__init__.py async_setup_entry:
    // any other answer retries the set-up forever), and aiontfy's Account needs `username` and these
    // `stats` (types.py Account, AccountStats); ntfy answers it to anyone (server.go: "Allowed by anonymous").
    test("setup: GET /v1/account answers an account aiontfy can read", async () => {
      const setup = step("setup");
      const res = await fetch(url(setup.path), { headers: setup.headers });
      expect(res.status).toBe(200);
      const account = (await res.json()) as { username?: unknown; stats?: Record<string, unknown> };
      expect(typeof account.username).toBe("string");
      const stats = ["messages", "emails", "calls", "reservations", "attachment_total_size"].flatMap((k) => [k, `${k}_remaining`]);
      for (const key of stats) expect(typeof account.stats?.[key]).toBe("number");
    });

    // aiontfy's subscribe() calls can_subscribe() before it opens the WebSocket; ntfy serves it as
    // GET /<topics>/auth behind authorizeTopicRead (server.go authPathRegex, handleTopicAuth:
    // {"success":true}). Any error there and Home Assistant never subscribes (event.py ws_connect).
    test("can_subscribe: GET /<topic>/auth answers 200 {success: true}", async () => {
      const auth = step("can_subscribe");
      const res = await fetch(url(auth.path), { headers: auth.headers });
      expect([res.status, await res.json()]).toEqual([200, { success: true }]);
    });

    test("can_subscribe without read permission: 403 with exactly code, http, error, link (aiontfy's raise_http_error keywords)", async () => {
      const auth = step("can_subscribe");
      const res = await fetch(url(auth.path), { headers: { ...auth.headers, Authorization: `Bearer ${TOKENS.writer}` } });
      expect(res.status).toBe(403);
      expect(Object.keys((await res.json()) as object).sort()).toEqual(["code", "error", "http", "link"]);
    });

    test("the WebSocket with its filters: only the matching message arrives, each frame a valid aiontfy Notification", async () => {
      const sub = step("subscribe");
      const query = new URLSearchParams({ title: "nas01", priority: "4,5", tags: "warning" });
      const ws = wsClient(`${url(sub.path).replace("http", "ws")}?${query}`, sub.headers);
      try {
        await ws.opened;
        const open = await ws.next("open");
        await publish(bed.gw.url, "backups", "filtered out", { Title: "nas01", Priority: "3", Tags: "warning" });
        await publish(bed.gw.url, "backups", "for HA", { Title: "nas01", Priority: "4", Tags: "warning,nas" });
        const message = await ws.next("message");
        expect(message).toMatchObject({ event: "message", topic: "backups", title: "nas01", message: "for HA", priority: 4 });
        for (const frame of [open, message]) {
          expect(typeof frame.id).toBe("string");
          expect(Number.isInteger(frame.time)).toBe(true);
          expect(["open", "keepalive", "message", "poll_request", "message_clear", "message_delete"]).toContain(frame.event);
          if (frame.priority !== undefined) expect(frame.priority).toBeWithin(1, 6);
        }
      } finally {
        ws.socket.close();
      }
    });
  });
});
