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

    test("a subscriber that never reads is dropped; another gets every message in order; since= resumes", async () => {
      const healthy = curl(`${bed.gw.url}/load/json`);
      const stalled = createConnection({ host: "127.0.0.1", port: Number(new URL(bed.gw.url).port) });
      stalled.write("GET /load/json HTTP/1.1\r\nHost: x\r\n\r\n");
      stalled.pause();
      try {
        await waitFor(() => healthy.events().some((e) => e.event === "open"), WAIT_MS, "the healthy subscriber's open");
        await waitFor(async () => (await metric("stanzagate_topic_subscribers")) === 2, WAIT_MS, "both subscribers");
        const ids: string[] = [];
        const before = await metric("stanzagate_topic_subscribers_dropped_total");
        // Until the stalled one's socket and then its 8 KiB buffer are full (loopback buffers hold megabytes).
        for (let n = 0; n < 5000 && (await metric("stanzagate_topic_subscribers_dropped_total")) === before; n++)
          for (let k = 0; k < 20; k++) ids.push((await publish("load", `${n}-${k} ${"x".repeat(3000)}`)).id);
        expect(await metric("stanzagate_topic_subscribers_dropped_total")).toBe(before + 1);
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

    test("a restart between a disconnect and since=<last id>: every message in between, once", async () => {
      const store = join(mkdtempSync(join(tmpdir(), "sg-topics-")), "stanzagate.db");
      // One component connection at a time: the bed's gateway makes way for one with a store file.
      await bed.gw.stop();
      let gw = await startGateway(bed.server, { routes: ROUTES, store });
      try {
        const post = async (body: string) => (await (await gw.post("/restart", { body })).json()) as Event;
        const last = await post("seen before the disconnect");
        await post("missed 1");
        await gw.stop();
        gw = await startGateway(bed.server, { routes: ROUTES, store });
        bed.gw = gw;
        await post("missed 2");
        const sub = curl(`${gw.url}/restart/json?since=${last.id}`);
        try {
          await waitFor(() => sub.events().filter((e) => e.event === "message").length === 2, WAIT_MS, "the missed messages");
          await post("live");
          await waitFor(() => sub.events().some((e) => e.message === "live"), WAIT_MS, "the live message");
          expect(sub.events().flatMap((e) => (e.event === "message" ? [e.message] : []))).toEqual(["missed 1", "missed 2", "live"]);
        } finally {
          sub.proc.kill();
        }
      } finally {
        await gw.stop();
      }
    });
  });
