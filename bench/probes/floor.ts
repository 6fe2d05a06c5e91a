// The floor of the job on this runtime: what post_msg's work costs with nothing of the gateway
// around it. Bun.serve, one raw component socket (Bun.connect, XEP-0114 handshake), each POST's
// text escaped into a message string, the stanzas of one event-loop turn written together with
// one confirmation ping, and 201 once the server answered the ping: the same promise the
// gateway makes, without Elysia, auth, ltx, the guard, the outbox, metrics or logs. Compiled
// like the gateway and started with the benchmark's routes.yaml (bench/probes/floor-run.ts), so
// its CPU per message is the figure the gateway's is compared with. FLOOR_LAYERS (comma list)
// puts back one layer of the gateway's stack at a time: `xmppjs` (the @xmpp/component socket
// and parser), `elysia` (routing through Elysia), `ltx` (stanzas built and serialised by ltx),
// `prom` (a prom-client counter and histogram per request).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { component as xmppComponent } from "@xmpp/component";
import xml from "@xmpp/xml";
import { Elysia } from "elysia";
import Counter from "prom-client/lib/counter";
import Histogram from "prom-client/lib/histogram";
import Registry from "prom-client/lib/registry";

const layers = new Set((process.env.FLOOR_LAYERS ?? "").split(",").filter(Boolean));
const yaml = readFileSync(process.argv[process.argv.indexOf("--config") + 1] ?? "routes.yaml", "utf8");
const field = (re: RegExp) => yaml.match(re)?.[1] ?? "";
const service = `xmpp://${field(/server: xmpp:\/\/([\d.:]+)/)}`;
const component = field(/component: (\S+)/);
const secret = field(/secret: "([^"]+)"/);
const host = field(/host: (\S+)/);
const listen = Number(field(/listen: [\d.]+:(\d+)/));

const escapeText = (s: string) => s.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
let online = false;
let pending: string[] = [];
let batch = 0;
const waiting = new Map<string, Array<() => void>>();
let current: Array<() => void> = [];
const confirmed = (id: string) => {
  for (const resolve of waiting.get(id) ?? []) resolve();
  waiting.delete(id);
};

/** Raw: a Bun socket, the handshake by hand, ping results found by their id. */
function rawLink(): (chunk: string) => void {
  let received = "";
  const url = new URL(service);
  const socket = Bun.connect({
    hostname: url.hostname,
    port: Number(url.port),
    socket: {
      data(sock, data) {
        received += data.toString();
        if (!online) {
          const id = received.match(/ id=['"]([^'"]+)['"]/)?.[1];
          if (id && !received.includes("<handshake")) {
            sock.write(
              `<handshake>${createHash("sha1")
                .update(id + secret)
                .digest("hex")}</handshake>`,
            );
            received = received.slice(received.indexOf(">", received.indexOf("<stream:stream")) + 1);
          }
          if (received.includes("<handshake/>")) (online = true), (received = "");
          return;
        }
        for (const m of received.matchAll(/id=['"](p\d+)['"]/g)) confirmed(m[1] as string);
        received = received.slice(received.lastIndexOf(">") + 1);
      },
    },
  });
  const open = `<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='${component}'>`;
  void socket.then((sock) => sock.write(open));
  return (chunk) => void socket.then((sock) => sock.write(chunk));
}

/** xmpp.js: the socket, parser and handshake the gateway's link uses. */
function xmppjsLink(): (chunk: string) => void {
  const entity = xmppComponent({ service, domain: component, password: secret });
  entity.on("stanza", (el) => {
    if (el.name === "iq" && el.attrs.id) confirmed(el.attrs.id);
  });
  void entity.start().then(() => (online = true));
  // The link writes serialised chunks through the connection's own write (src/xmpp/link.ts);
  // the factory's declared type (src/types/xmpp.d.ts) only names send().
  const connection = entity as unknown as { write(chunk: string): Promise<void> };
  return (chunk) => void connection.write(chunk);
}

const writeOut = layers.has("xmppjs") ? xmppjsLink() : rawLink();

function flush() {
  const id = `p${++batch}`;
  waiting.set(id, current);
  current = [];
  pending.push(`<iq type='get' id='${id}' to='${host}' from='${component}'><ping xmlns='urn:xmpp:ping'/></iq>`);
  const chunk = pending.join("");
  pending = [];
  writeOut(chunk);
}

const registry = new Registry();
const requests = new Counter({ name: "r_total", help: "r", labelNames: ["route", "method", "status"], registers: [registry] });
const latency = new Histogram({ name: "r_seconds", help: "r", labelNames: ["route"], registers: [registry] });

async function post(request: Request, path: string): Promise<Response> {
  const started = performance.now();
  const to = `${path.slice(path.lastIndexOf("/") + 1)}@${host}`;
  const text = await request.text();
  if (pending.length === 0) setImmediate(flush);
  pending.push(
    layers.has("ltx")
      ? xml("message", { to, from: component, type: "chat" }, xml("body", {}, text)).toString()
      : `<message to='${to}' from='${component}' type='chat'><body>${escapeText(text)}</body></message>`,
  );
  await new Promise<void>((resolve) => current.push(resolve));
  if (layers.has("prom")) {
    requests.inc({ route: "/msg/*", method: "POST", status: "201" });
    latency.observe({ route: "/msg/*" }, (performance.now() - started) / 1000);
  }
  return Response.json({ status: "sent", to, from: component }, { status: 201 });
}
const health = () => new Response(online ? "ok" : "starting", { status: online ? 200 : 503 });

if (layers.has("elysia")) {
  const app = new Elysia().get("/health", health).post("/msg/*", ({ request, path }) => post(request, path));
  app.compile();
  Bun.serve({ hostname: "127.0.0.1", port: listen, fetch: (request) => app.handle(request) });
} else {
  Bun.serve({
    hostname: "127.0.0.1",
    port: listen,
    fetch(request) {
      const path = new URL(request.url).pathname;
      return path === "/health" ? health() : post(request, path);
    },
  });
}
