// ntfy's subscribe API (issue 22 §3, §6) as real clients use it, written from ntfy's documentation
// (docs/subscribe/api.md) and server (server/server.go handleSubscribe*, types.go) of
// binwiederhier/ntfy v2.13: curl -N on /json and /raw, the `eventsource` npm client on /sse, the
// `ws` npm client on /ws (Home Assistant's requests: subscribe-home-assistant.test.ts). The streams are HTTP only, so one server (Prosody)
// carries the publishes; the XMPP side of topics is tested on both servers by its own files.
import { describe, expect, test } from "bun:test";
import { EventSource } from "eventsource";
import { serverKind } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { curlStream, fetchStream, NTFY_ID, type NtfyEvent, wsClient } from "../../../helpers/ntfy-streams.ts";
import { BEARER, publish, SUBSCRIBE_ROUTES } from "../../../helpers/ntfy-subscribe-routes.ts";
import { withTimeout } from "../../../../testbed/timeouts.ts";

const EVENT_TIMEOUT_MS = 15_000;

describe("prosody", () => {
  const bed = useTestBed(serverKind("prosody"), { gateway: { routes: SUBSCRIBE_ROUTES } });
  const url = (path: string) => `${bed.gw.url}${path}`;

  test("curl -N /backups/json: an open event, then each message as one JSON line, ntfy's fields and no others", async () => {
    const curl = curlStream(url("/backups/json"), BEARER.reader);
    try {
      const open = await curl.nextEvent();
      expect(open).toMatchObject({ event: "open", topic: "backups" });
      expect(open.id).toMatch(NTFY_ID);
      const sent = await publish(bed.gw.url, "backups", "Disk full", {
        Title: "nas01",
        Priority: "high",
        Tags: "warning,nas",
        Click: "https://nas01/",
      });
      const message = await curl.nextOf("message");
      expect(message).toEqual({
        id: sent.id,
        time: sent.time,
        expires: expect.any(Number),
        event: "message",
        topic: "backups",
        title: "nas01",
        message: "Disk full",
        priority: 4,
        tags: ["warning", "nas"],
        click: "https://nas01/",
      });
      expect(message.id).toMatch(NTFY_ID);
      expect(message.expires as number).toBeGreaterThan(message.time);
    } finally {
      await curl.stop();
    }
  });

  test("two topics comma-separated: the open event names both, each message its own topic; the headers are ntfy's", async () => {
    const stream = await fetchStream(url("/backups,alerts/json"), BEARER.reader);
    try {
      expect(stream.res.status).toBe(200);
      expect(stream.res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
      expect(await stream.lines.nextEvent()).toMatchObject({ event: "open", topic: "backups,alerts" });
      await publish(bed.gw.url, "alerts", "one");
      await publish(bed.gw.url, "backups", "two");
      expect(await stream.lines.nextOf("message")).toMatchObject({ topic: "alerts", message: "one" });
      expect(await stream.lines.nextOf("message")).toMatchObject({ topic: "backups", message: "two" });
    } finally {
      stream.stop();
    }
  });

  test("keepalive events come every keepalive_s on /json; /raw sends them as empty lines and a message as one line", async () => {
    const json = curlStream(url("/alerts/json"), BEARER.reader);
    const raw = curlStream(url("/alerts/raw"), BEARER.reader);
    try {
      expect(await json.nextEvent()).toMatchObject({ event: "open" });
      expect(await json.nextEvent()).toMatchObject({ event: "keepalive", topic: "alerts", id: expect.stringMatching(NTFY_ID) });
      expect(await raw.next()).toBe("");
      await publish(bed.gw.url, "alerts", "line one\nline two");
      let line = await raw.next();
      while (line === "") line = await raw.next();
      expect(line).toBe("line one line two");
    } finally {
      await json.stop();
      await raw.stop();
    }
  });

  test("curl -N /sse: ntfy's framing, `event: open` before its data, a message as `data:` alone, a blank line after each", async () => {
    const curl = curlStream(url("/backups/sse"), BEARER.reader);
    /** The next SSE record's lines, up to the blank line that ends it; keepalives skipped. */
    const nextRecord = async (): Promise<string[]> => {
      const lines: string[] = [];
      for (let line = await curl.next(); line !== ""; line = await curl.next()) lines.push(line ?? "(end)");
      return lines[0] === "event: keepalive" ? nextRecord() : lines;
    };
    try {
      const [name, open] = await nextRecord();
      expect([name, JSON.parse(open?.replace(/^data: /, "") ?? "")]).toEqual(["event: open", expect.objectContaining({ event: "open" })]);
      await publish(bed.gw.url, "backups", "framed");
      const message = await nextRecord();
      expect(message).toHaveLength(1);
      expect(message[0]).toStartWith("data: ");
      expect(JSON.parse(message[0]?.slice(6) ?? "")).toMatchObject({ event: "message", message: "framed" });
    } finally {
      await curl.stop();
    }
  });

  test("eventsource on /sse: open and message_delete are named events, a message is the default one", async () => {
    // The eventsource package sends headers only through its fetch option (a browser's EventSource sends none: ?auth= then).
    const source = new EventSource(url("/backups/sse"), {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...BEARER.reader } }),
    });
    const seen: Array<{ type: string; data: NtfyEvent }> = [];
    let wake: (() => void) | undefined;
    const record = (type: string) => (e: MessageEvent) => {
      // EventSource's own "open" (the connection, no data) shares its name with ntfy's open event.
      if (typeof e.data !== "string") return;
      seen.push({ type, data: JSON.parse(e.data) as NtfyEvent });
      wake?.();
    };
    source.addEventListener("open", record("open"));
    source.onmessage = record("message");
    source.addEventListener("message_delete", record("message_delete"));
    const until = async (type: string) => {
      while (!seen.some((e) => e.type === type))
        await withTimeout(new Promise<void>((r) => (wake = r)), EVENT_TIMEOUT_MS, () => {
          throw new Error(`no SSE ${type} event; seen ${JSON.stringify(seen)}`);
        });
      return seen.find((e) => e.type === type)?.data;
    };
    try {
      expect(await until("open")).toMatchObject({ event: "open", topic: "backups" });
      const sent = await publish(bed.gw.url, "backups", "over SSE", { "X-Sequence-ID": "sse-1" });
      expect(await until("message")).toMatchObject({ id: sent.id, event: "message", message: "over SSE" });
      const deleted = await fetch(url("/backups/sse-1"), { method: "DELETE", headers: BEARER.writer });
      expect(deleted.status).toBe(200);
      expect(await until("message_delete")).toMatchObject({ event: "message_delete", topic: "backups", sequence_id: "sse-1" });
    } finally {
      source.close();
    }
  });

  test("ws on /ws: JSON text frames (open, message), and WebSocket pings as its keepalive", async () => {
    const ws = wsClient(url("/backups/ws").replace("http", "ws"), BEARER.reader);
    try {
      await ws.opened;
      expect(await ws.next("open")).toMatchObject({ topic: "backups" });
      const sent = await publish(bed.gw.url, "backups", "over ws", { Tags: "tada" });
      expect(await ws.next("message")).toMatchObject({ id: sent.id, message: "over ws", tags: ["tada"] });
      expect(await ws.ping()).toBeGreaterThan(0);
    } finally {
      ws.socket.close();
    }
  });

  test("poll=1 answers what is cached and ends; since= takes all, latest, an id, a unix time and a duration", async () => {
    const a = await publish(bed.gw.url, "polled", "a");
    const b = await publish(bed.gw.url, "polled", "b");
    const c = await publish(bed.gw.url, "polled", "c");
    const poll = async (query: string) => {
      const res = await fetch(url(`/polled/json?poll=1${query}`), { headers: BEARER.reader });
      expect(res.status).toBe(200);
      return (await res.text())
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => (JSON.parse(l) as NtfyEvent).message);
    };
    expect(await poll("")).toEqual(["a", "b", "c"]);
    expect(await poll("&since=all")).toEqual(["a", "b", "c"]);
    expect(await poll("&since=latest")).toEqual(["c"]);
    expect(await poll(`&since=${a.id}`)).toEqual(["b", "c"]);
    expect(await poll(`&since=${c.id}`)).toEqual([]);
    expect(await poll(`&since=${a.time}`)).toEqual(["a", "b", "c"]);
    expect(await poll("&since=10m")).toEqual(["a", "b", "c"]);
    // An id the cache does not hold starts at the beginning (message_cache.go messagesSinceID).
    expect(await poll("&since=NotCached000")).toEqual(["a", "b", "c"]);
    expect(b.id).not.toBe(a.id);
  });

  test("filters: priority is any of, tags all of, title and message exact, id one; open and keepalive pass", async () => {
    const x = await publish(bed.gw.url, "filtered", "zfs", { Priority: "5", Tags: "zfs-error,error", Title: "pool" });
    await publish(bed.gw.url, "filtered", "low", { Priority: "2", Tags: "error" });
    await publish(bed.gw.url, "filtered", "plain");
    const poll = async (query: string) =>
      (await (await fetch(url(`/filtered/json?poll=1&${query}`), { headers: BEARER.reader })).text())
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => (JSON.parse(l) as NtfyEvent).message);
    expect(await poll("priority=high,urgent")).toEqual(["zfs"]);
    expect(await poll("p=3")).toEqual(["plain"]);
    expect(await poll("tags=error")).toEqual(["zfs", "low"]);
    expect(await poll("tags=error,zfs-error")).toEqual(["zfs"]);
    expect(await poll("title=pool")).toEqual(["zfs"]);
    expect(await poll("message=low")).toEqual(["low"]);
    expect(await poll(`id=${x.id}`)).toEqual(["zfs"]);
    const res = await fetch(url("/filtered/json?poll=1&priority=loud"), { headers: BEARER.reader });
    expect([res.status, await res.json()]).toEqual([
      400,
      { code: 40007, http: 400, error: "invalid priority parameter", link: "https://ntfy.sh/docs/publish/#message-priority" },
    ]);
  });
});
