// ntfy's subscribe API against a real gateway on each real server, with real clients: curl -N on
// /json and /sse, Bun's WebSocket client on /ws, a client that connects and never reads (dropped,
// the others get everything), and a restart between a disconnect and since=<last id>.
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testServers } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { startGateway } from "../../../helpers/gateway.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";

const WAIT_MS = 10_000;
const ROUTES = `
routes:
  - preset: ntfy
    to: alice@localhost
    subscribe: { keepalive_s: 1, buffer_bytes: 8192 }
`;

type Event = { id: string; event: string; topic: string; message?: string };

/** `curl -sN <url>`: its output lines as they come. */
function curl(url: string) {
  const proc = Bun.spawn(["curl", "-sN", url], { stdout: "pipe", stderr: "ignore" });
  const lines: string[] = [];
  void (async () => {
    let rest = "";
    for await (const chunk of proc.stdout) {
      const parts = (rest + new TextDecoder().decode(chunk)).split("\n");
      rest = parts.pop() ?? "";
      lines.push(...parts);
    }
  })();
  const events = () => lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Event);
  return { proc, lines, events };
}

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { gateway: { routes: ROUTES } });
    const publish = async (topic: string, body: string) => (await (await bed.gw.post(`/${topic}`, { body })).json()) as Event;
    const metric = async (name: string) => {
      const text = await (await fetch(`${bed.gw.url}/metrics`)).text();
      return Number(text.match(new RegExp(`^${name} (\\d+)`, "m"))?.[1]);
    };

    test("curl -N /json: open, each published message with the publisher's id, keepalives while idle", async () => {
      const sub = curl(`${bed.gw.url}/news/json`);
      try {
        await waitFor(() => sub.events().some((e) => e.event === "open"), WAIT_MS, "the open event");
        const sent = await publish("news", "first");
        await waitFor(() => sub.events().find((e) => e.event === "message"), WAIT_MS, "the message");
        expect(sub.events().find((e) => e.event === "message")).toMatchObject({ id: sent.id, topic: "news", message: "first" });
        await waitFor(() => sub.events().some((e) => e.event === "keepalive"), WAIT_MS, "a keepalive");
        expect(await metric("stanzagate_topic_subscribers")).toBe(1);
      } finally {
        sub.proc.kill();
      }
      await waitFor(async () => (await metric("stanzagate_topic_subscribers")) === 0, WAIT_MS, "the subscriber to be gone");
    });

    test("curl -N /sse with since=<id>: the messages after it, then live ones, as server-sent events", async () => {
      const first = await publish("feed", "one");
      await publish("feed", "two");
      const sub = curl(`${bed.gw.url}/feed/sse?since=${first.id}`);
      try {
        await waitFor(() => sub.lines.some((l) => l.includes('"message":"two"')), WAIT_MS, "the cached message");
        await publish("feed", "three");
        await waitFor(() => sub.lines.some((l) => l.includes('"message":"three"')), WAIT_MS, "the live message");
        expect(sub.lines[0]).toBe("event: open");
        const data = sub.lines.filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)) as Event);
        expect(data.filter((e) => e.event === "message").map((e) => e.message)).toEqual(["two", "three"]);
      } finally {
        sub.proc.kill();
      }
    });

    test("too many topics: past max_topics ntfy's 40009; a URL past Bun's 16 KiB request head, a bare 431 from Bun itself", async () => {
      const topics = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`).join(",");
      const some = await fetch(`${bed.gw.url}/${topics(1000)}/json`);
      expect([some.status, ((await some.json()) as { code: number }).code]).toEqual([400, 40009]);
      expect((await fetch(`${bed.gw.url}/${topics(10_000)}/json`)).status).toBe(431);
    });

    test("a WebSocket: open and messages as text frames; a junk frame past 64 bytes closes it with 1009", async () => {
      const ws = new WebSocket(`${bed.gw.url.replace("http", "ws")}/chat/ws`);
      const got: Event[] = [];
      ws.onmessage = (m) => got.push(JSON.parse(String(m.data)) as Event);
      const closed = new Promise<number>((resolve) => (ws.onclose = (e) => resolve(e.code)));
      await waitFor(() => got.some((e) => e.event === "open"), WAIT_MS, "the open event");
      ws.send("hi");
      const sent = await publish("chat", "over the socket");
      await waitFor(() => got.some((e) => e.id === sent.id), WAIT_MS, "the message");
      ws.send("x".repeat(100));
      expect(await closed).toBe(1009);
    });

    /** Publishes to `topic` until a subscriber is dropped (loopback socket buffers hold megabytes first); the ids published. */
    async function publishUntilDropped(topic: string): Promise<string[]> {
      const ids: string[] = [];
      const before = await metric("stanzagate_topic_subscribers_dropped_total");
      for (let n = 0; n < 5000 && (await metric("stanzagate_topic_subscribers_dropped_total")) === before; n++)
        for (let k = 0; k < 20; k++) ids.push((await publish(topic, `${n}-${k} ${"x".repeat(3000)}`)).id);
      expect(await metric("stanzagate_topic_subscribers_dropped_total")).toBe(before + 1);
      return ids;
    }

    test("a WebSocket that never reads is dropped; another WebSocket gets every message in order", async () => {
      const got: Event[] = [];
      const ws = new WebSocket(`${bed.gw.url.replace("http", "ws")}/wsload/ws`);
      ws.onmessage = (m) => got.push(JSON.parse(String(m.data)) as Event);
      const stalled = createConnection({ host: "127.0.0.1", port: Number(new URL(bed.gw.url).port) });
      const key = Buffer.from("0123456789abcdef").toString("base64");
      stalled.write(
        `GET /wsload/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      stalled.pause();
      try {
        await waitFor(async () => (await metric("stanzagate_topic_subscribers")) === 2, WAIT_MS, "both subscribers");
        const ids = await publishUntilDropped("wsload");
        await waitFor(() => got.filter((e) => e.event === "message").length === ids.length, WAIT_MS, "every message");
        expect(got.filter((e) => e.event === "message").map((e) => e.id)).toEqual(ids);
      } finally {
        ws.close();
        stalled.destroy();
      }
    });

    test("a subscriber that never reads is dropped; another gets every message in order; since= resumes", async () => {
      const healthy = curl(`${bed.gw.url}/load/json`);
      const stalled = createConnection({ host: "127.0.0.1", port: Number(new URL(bed.gw.url).port) });
      stalled.write("GET /load/json HTTP/1.1\r\nHost: x\r\n\r\n");
      stalled.pause();
      try {
        await waitFor(() => healthy.events().some((e) => e.event === "open"), WAIT_MS, "the healthy subscriber's open");
        await waitFor(async () => (await metric("stanzagate_topic_subscribers")) === 2, WAIT_MS, "both subscribers");
        const ids = await publishUntilDropped("load");
        await waitFor(() => healthy.events().filter((e) => e.event === "message").length === ids.length, WAIT_MS, "every message");
        expect(
          healthy
            .events()
            .filter((e) => e.event === "message")
            .map((e) => e.id),
        ).toEqual(ids);
        const resumed = await (await fetch(`${bed.gw.url}/load/json?poll=1&since=${ids.at(-3)}`)).text();
        expect(
          resumed
            .trim()
            .split("\n")
            .map((l) => (JSON.parse(l) as Event).id),
        ).toEqual(ids.slice(-2));
      } finally {
        healthy.proc.kill();
        stalled.destroy();
      }
    });

    test("a restart while subscribed: the streams end (a stalled one too), and since=<last id> gets every message in between, once", async () => {
      const store = join(mkdtempSync(join(tmpdir(), "sg-topics-")), "stanzagate.db");
      // One component connection at a time: the bed's gateway makes way for one with a store file.
      await bed.gw.stop();
      let gw = await startGateway(bed.server, { routes: ROUTES, store });
      const post = async (body: string) => (await (await gw.post("/restart", { body })).json()) as Event;
      const before = curl(`${gw.url}/restart/json`);
      await waitFor(() => before.events().some((e) => e.event === "open"), WAIT_MS, "the open event");
      await post("seen before the restart");
      await waitFor(() => before.events().some((e) => e.event === "message"), WAIT_MS, "the first message");
      await post("missed 1");
      const stalled = createConnection({ host: "127.0.0.1", port: Number(new URL(gw.url).port) });
      stalled.write("GET /restart/json HTTP/1.1\r\nHost: x\r\n\r\n");
      stalled.pause();
      await waitFor(
        async () => (await fetch(`${gw.url}/metrics`).then((r) => r.text())).includes("stanzagate_topic_subscribers 2"),
        WAIT_MS,
        "both",
      );
      // Subscribers still connected, one of them reading nothing, never hold the shutdown up.
      await gw.stop();
      stalled.destroy();
      await before.proc.exited;
      gw = await startGateway(bed.server, { routes: ROUTES, store });
      bed.gw = gw;
      await post("missed 2");
      // Whatever the stream had not sent when it ended ("missed 1", or not) comes after the last id it got.
      const got = before.events().filter((e) => e.event === "message");
      const after = curl(`${gw.url}/restart/json?since=${got.at(-1)?.id}`);
      try {
        await waitFor(() => after.events().some((e) => e.message === "missed 2"), WAIT_MS, "the missed messages");
        await post("live");
        await waitFor(() => after.events().some((e) => e.message === "live"), WAIT_MS, "the live message");
        const messages = [...before.events(), ...after.events()].flatMap((e) => (e.event === "message" ? [e.message] : []));
        expect(messages).toEqual(["seen before the restart", "missed 1", "missed 2", "live"]);
      } finally {
        after.proc.kill();
      }
    });
  });
