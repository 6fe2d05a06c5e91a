// `make demo`: a local Prosody and the built Stanzagate on 127.0.0.1, a demo webhook and roster
// web app, and bob logged in to show what arrives. Prints curl commands that work; Ctrl-C stops
// everything. Stanzagate listens on 127.0.0.1:5280 (DEMO_HTTP_PORT to change it), so the curl
// examples in README.md's "first 10 minutes" work as written. DEMO_SECONDS=N stops by itself after N seconds.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUILTIN_PLUGINS } from "../plugins/index.ts";
import { startProsody } from "../testbed/prosody.ts";
import { connectClient, joinRoom } from "../testbed/xmpp-client.ts";
import xml from "@xmpp/xml";
import { demoRoutes, demoWebApps } from "./demo-config.ts";

const ROOT = join(import.meta.dir, "..");
const DIR = join(ROOT, ".demo");
const BIN = join(ROOT, "dist/stanzagate");

// A fresh store each time: nothing queued by an earlier demo (for an earlier server) is replayed.
rmSync(DIR, { recursive: true, force: true });
mkdirSync(DIR, { recursive: true });
const prosody = await startProsody({ users: { alice: "alice-pw", bob: "bob-pw", carol: "carol-pw" } });
const apps = demoWebApps();
const httpPort = Number(process.env.DEMO_HTTP_PORT ?? 5280);
const has = (name: string) => BUILTIN_PLUGINS.has(name);
const routesFile = join(DIR, "routes.yaml");
writeFileSync(routesFile, demoRoutes({ prosody, httpPort, store: join(DIR, "stanzagate.db"), webhook: apps.webhookUrl, rosterUrl: apps.rosterUrl, sensors: apps.sensorsUrl, has }));

const gateway = Bun.spawn([BIN, "--config", routesFile], { cwd: DIR, stdout: "inherit", stderr: Bun.file(join(DIR, "stanzagate.log")) });
const url = `http://127.0.0.1:${httpPort}`;
await waitOnline(url);

const bob = await connectClient(prosody, "bob", { resource: "demo" });
bob.xmpp.on("stanza", (s) => {
  if (s.name === "message" && s.getChildText("body")) console.log(`\n  bob received from ${s.attrs.from}: ${s.getChildText("body")}`);
  if (s.name === "presence" && s.attrs.type === "unavailable" && s.toString().includes('code="307"')) console.log(`\n  bob was kicked out of ${s.attrs.from?.split("/")[0]}`);
});
const room = `room@${prosody.mucDomain}`;
await joinRoom(bob, room, "Bob");

console.log(`
Stanzagate demo is running.
  Prosody on 127.0.0.1 (c2s ${prosody.c2sPort}, component ${prosody.componentPort}); users alice/alice-pw, bob/bob-pw, carol/carol-pw
  Stanzagate on ${url}; its config is ${routesFile}, its log ${join(DIR, "stanzagate.log")}
  bob is logged in and prints what he receives below.

Try:
  curl -s ${url}/health
  curl -s -X POST ${url}/alert -H 'Authorization: Bearer demo-token-0123456789' -H 'Content-Type: application/json' -d '{"to":"bob@localhost","text":"disk full"}'`);
if (has("post_msg")) {
  console.log(`  curl -s ${url}/msg/bob -u alice:alice-pw -H 'Content-Type: text/plain' -d 'Server@host has just crashed!'
  curl -s ${url}/msg -u alice@localhost:alice-pw -d 'to=bob@localhost' -d 'body=hello from a form'
  curl -s ${url}/msg -u alice:alice-pw -H 'Content-Type: application/json' -d '{"to":"bob","body":"hello from JSON"}'`);
}
if (has("muc_kick")) {
  // The original module answers a kick with 200 and an empty body: -w shows the status.
  console.log(`  curl -s -w '%{http_code}\\n' ${url}/muc_kick -H 'Authorization: Basic dXNlcm5hbWU6cGFzc3dvcmQ=' -H 'Content-Type: application/json' -d '{"nickname":"Bob","muc":"${room}","reason":"demo"}'
    (prints 200; the demo's room is not persistent: once bob is out it is gone, and a second kick answers 404)`);
}
if (has("component_http")) console.log(`  (component_http: send a chat message to echo@${prosody.componentDomain} from any client; the demo webhook echoes it)`);
if (has("roster_admin")) console.log(`  curl -s -X POST ${url}/roster_admin/refresh -H 'Authorization: Bearer demo-token-0123456789' -H 'Content-Type: application/json' -d '["bob"]'`);
const house = `house@${prosody.componentDomain}`;
console.log(`
Talk to the bot ${house} (its commands read the demo's sensors on 127.0.0.1):
  type a line here, e.g.  temp kitchen  (or temp garden, ping, help; temp attic shows the error: reply), and press Enter:
  bob sends it to ${house} and prints the reply; or log in as bob@${prosody.host} / bob-pw
  (c2s 127.0.0.1:${prosody.c2sPort}) in any client and write to ${house}.
  Its job "kitchen" tells bob the kitchen temperature when it changes (checked every 10 s).`);
void relayStdin(house);
console.log("\nCtrl-C to stop.");

/** Each line typed on the terminal, sent by bob to the bot as a chat message. */
async function relayStdin(to: string): Promise<void> {
  for await (const line of console) {
    if (line.trim()) await bob.send(xml("message", { to, type: "chat", id: `demo-${crypto.randomUUID()}` }, xml("body", {}, line.trim())));
  }
}

let stopping = false;
async function stop(): Promise<never> {
  if (!stopping) {
    stopping = true;
    await bob.stop();
    gateway.kill("SIGTERM");
    await gateway.exited;
    apps.stop();
    await prosody.stop();
  }
  process.exit(0);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
const seconds = Number(process.env.DEMO_SECONDS ?? 0);
if (seconds > 0) setTimeout(() => void stop(), seconds * 1000);

async function waitOnline(base: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const status = await fetch(`${base}/health`).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (gateway.exitCode !== null) break;
    await Bun.sleep(100);
  }
  console.error(`Stanzagate did not come online; see ${join(DIR, "stanzagate.log")}`);
  await prosody.stop();
  process.exit(1);
}
