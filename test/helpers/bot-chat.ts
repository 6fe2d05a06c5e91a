// What the bot integration tests share: a small box's local HTTP endpoints, and a client saying
// one line to a bot in its own <thread>, to wait for exactly that line's reply.
import xml from "@xmpp/xml";
import type { TestClient } from "../../testbed/xmpp-client.ts";

const TEN_MB = 10 * 1024 * 1024;

/** An HTML page, as a proxy or a misconfigured service answers instead of JSON. */
export const HTML_PAGE = "<html><head><title>502</title></head><body><h1>Bad Gateway</h1><p>a & b < c</p></body></html>";

/** 10 MB in 1 MB chunks, without a content-length: the client must stop reading by itself. */
function tenMegabytesChunked(): ReadableStream<Uint8Array> {
  let sent = 0;
  const chunk = new Uint8Array(1024 * 1024).fill(120);
  return new ReadableStream({
    pull(controller) {
      if (sent >= TEN_MB) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

/**
 * The sensors of a small box: GET /sensors/kitchen answers its temperature; "huge" streams 10 MB;
 * "stuck" never answers (until `stop` aborts); "html" answers an HTML page; "ctrl" answers text
 * holding a control character XML cannot carry.
 */
export function startSensors(stop: AbortSignal) {
  return Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    fetch(req) {
      const room = decodeURIComponent(new URL(req.url).pathname.split("/")[2] ?? "");
      if (room === "kitchen") return Response.json({ celsius: 21.5 });
      if (room === "huge") return new Response(tenMegabytesChunked());
      if (room === "stuck") return new Promise<Response>((resolve) => stop.addEventListener("abort", () => resolve(new Response("late"))));
      if (room === "html") return new Response(HTML_PAGE, { status: 200, headers: { "content-type": "text/html; charset=utf-8" } });
      if (room === "ctrl") return new Response("bell\u0007rang", { headers: { "content-type": "text/plain" } });
      return Response.json({ error: "no such room" }, { status: 404 });
    },
  });
}

/** `client` says `body` to `bot` as chat in a fresh thread; `reply()` waits for the bot's answer to it. */
export async function say(client: TestClient, bot: string, body: string) {
  const thread = `t-${crypto.randomUUID()}`;
  await client.send(xml("message", { to: bot, type: "chat", id: thread }, xml("body", {}, body), xml("thread", {}, thread)));
  return {
    thread,
    reply: (timeoutMs?: number) =>
      client.nextStanza(
        (s) => s.attrs.from?.startsWith(bot) === true && (s.getChildText("thread") === thread || s.attrs.id === thread),
        timeoutMs,
      ),
  };
}
