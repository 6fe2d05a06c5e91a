// Issue 22 §7 on the subscribe side: every bad request gets ntfy's own error JSON
// (`{"code","http","error","link"}`, server/errors.go of binwiederhier/ntfy v2.13), never a crash
// or a hang, and a subscriber that misbehaves costs the others nothing. A client that never reads
// is in test/faults/subscribers.test.ts (it needs a load to fill its buffer).
import { describe, expect, test } from "bun:test";
import { connect } from "node:net";
import WebSocket from "ws";
import { serverKind } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { fetchStream } from "../../../helpers/ntfy-streams.ts";
import { BEARER, publish, SUBSCRIBE_ROUTES } from "../../../helpers/ntfy-subscribe-routes.ts";

const DOCS = "https://ntfy.sh/docs";

describe("prosody", () => {
  const bed = useTestBed(serverKind("prosody"), { gateway: { routes: SUBSCRIBE_ROUTES } });
  const get = async (path: string, headers: Record<string, string> = BEARER.reader) => {
    const res = await fetch(`${bed.gw.url}${path}`, { headers });
    return [res.status, await res.json()];
  };

  /** The status a WebSocket upgrade is refused with (the `ws` client's unexpected-response). */
  const refusedUpgrade = (path: string, headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${bed.gw.url.replace("http", "ws")}${path}`, { headers });
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("open", () => reject(new Error(`${path}: the upgrade was accepted`)));
    });

  /** A live subscriber still hears the topic: the misbehaviour cost it nothing. */
  async function othersStillServed(): Promise<void> {
    const stream = await fetchStream(`${bed.gw.url}/alerts/json`, BEARER.reader);
    try {
      expect(await stream.lines.nextOf("open")).toMatchObject({ topic: "alerts" });
      await publish(bed.gw.url, "alerts", "still here");
      expect(await stream.lines.nextOf("message")).toMatchObject({ message: "still here" });
    } finally {
      stream.stop();
    }
  }

  test("an unknown topic: 404, ntfy's page not found, on every form", async () => {
    const notFound = { code: 40401, http: 404, error: expect.stringMatching(/^page not found/) };
    for (const form of ["json", "sse", "raw"]) expect(await get(`/nosuch/${form}`)).toEqual([404, notFound]);
    // Without an upgrade /ws answers 40016 first, as ntfy's handleSubscribeWS checks that before the topics.
    expect(await refusedUpgrade("/nosuch/ws", BEARER.reader)).toBe(404);
    expect(await get("/backups,nosuch/json")).toEqual([404, notFound]);
  });

  test("a malformed since: 400 40008, as ntfy's parseSince refuses it", async () => {
    const invalid = [
      400,
      { code: 40008, http: 400, error: "invalid since parameter", link: `${DOCS}/subscribe/api/#fetch-cached-messages` },
    ];
    // Go's time.ParseDuration takes "-5m" (a cursor in the future): that one is not malformed.
    for (const since of ["yesterday", "10x", "5 minutes", "abc%00"])
      expect(await get(`/backups/json?poll=1&since=${since}`)).toEqual(invalid);
  });

  // ntfy itself has no bound but its server's 15,000 topics (config.go DefaultTotalTopicLimit); the
  // issue asks for a clear 400. 10,000 names make a 59 KB request line, past Bun's 16 KiB of headers.
  // FAILING: Bun.serve refuses a request line past 16 KiB with a bare 431 and no body before the route
  // runs; topics-core documents that answer (docs/formats.md, Subscribing) instead of the 400.
  test.failing("10,000 topics in one URL: a clear 400 in ntfy's shape, and the gateway serves on", async () => {
    const topics = Array.from({ length: 10_000 }, (_, i) => `t${i}`).join(",");
    const res = await fetch(`${bed.gw.url}/${topics}/json`, { headers: BEARER.reader });
    expect([res.status, await res.text()]).toEqual([400, expect.stringContaining('"code":40009')]);
    await othersStillServed();
  });

  test("more topics than max_topics (1,001 names that fit in a request line): 400 40009", async () => {
    const topics = Array.from({ length: 1_001 }, (_, i) => `t${i}`).join(",");
    const [status, body] = await get(`/${topics}/json`);
    expect([status, body]).toEqual([400, expect.objectContaining({ code: 40009, http: 400 })]);
    await othersStillServed();
  });

  test("a topic name outside ntfy's [-_A-Za-z0-9]{1,64}: 400 40009 topic invalid", async () => {
    expect(await get(`/${"x".repeat(65)}/json`)).toEqual([400, { code: 40009, http: 400, error: "invalid request: topic invalid" }]);
  });

  test("no credentials: 401 40101; credentials without read permission: 403 40301; ?auth= reads as the header", async () => {
    expect(await get("/backups/json?poll=1", {})).toEqual([
      401,
      { code: 40101, http: 401, error: "unauthorized", link: `${DOCS}/publish/#authentication` },
    ]);
    expect(await get("/backups/json?poll=1", BEARER.writer)).toEqual([
      403,
      { code: 40301, http: 403, error: expect.stringMatching(/^forbidden/), link: `${DOCS}/publish/#authentication` },
    ]);
    const auth = Buffer.from(BEARER.reader.Authorization).toString("base64url");
    expect((await fetch(`${bed.gw.url}/backups/json?poll=1&auth=${auth}`)).status).toBe(200);
    expect(await refusedUpgrade("/backups/ws", BEARER.writer)).toBe(403);
  });

  test("GET /<topic>/ws without the Upgrade header: 400 40016", async () => {
    expect(await get("/backups/ws")).toEqual([
      400,
      {
        code: 40016,
        http: 400,
        error: "invalid request: client not using the websocket protocol",
        link: `${DOCS}/subscribe/api/#websockets`,
      },
    ]);
  });

  test("junk on a WebSocket (text, a large binary frame): ignored or closed with a code, never a crash; others are served", async () => {
    const ws = new WebSocket(`${bed.gw.url.replace("http", "ws")}/backups/ws`, { headers: BEARER.reader });
    await new Promise<void>((resolve, reject) => ws.once("open", () => resolve()).once("error", reject));
    const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
    ws.send("{not json");
    ws.send(Buffer.alloc(1 << 20, 0xff));
    ws.close(1000);
    expect([1000, 1003, 1005, 1008, 1009]).toContain(await closed);
    await othersStillServed();
  });

  test("bytes that are not WebSocket frames after the upgrade: the connection is closed, others are served", async () => {
    const { hostname: host, port } = new URL(bed.gw.url);
    const socket = connect({ host, port: Number(port) });
    const ended = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (d) => {
        text += d.toString("latin1");
        if (text.includes("\r\n\r\n")) socket.write(Buffer.from("\x00\x01garbage that is no frame\xff\xff\xff\xff", "latin1"));
      });
      socket.on("close", () => resolve(text));
    });
    socket.write(
      `GET /backups/ws HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: ${BEARER.reader.Authorization}\r\n\r\n`,
    );
    expect(await ended).toStartWith("HTTP/1.1 101");
    await othersStillServed();
  });
});
