// `make demo`: a local Prosody, a local mosquitto (the house's MQTT bus) and the built Stanzagate
// on 127.0.0.1, a demo webhook and roster web app, and bob logged in (and sitting in the demo's
// room) to show what arrives. Prints curl, mosquitto_pub and mosquitto_sub commands that work;
// Ctrl-C stops everything. Stanzagate listens on 127.0.0.1:5280
// (DEMO_HTTP_PORT to change it), so the curl examples in README.md's "first 10 minutes" work as written.
// DEMO_SECONDS=N stops by itself after N seconds; DEMO_RESET=1 (`make demo-reset`) writes the
// demo's own routes.yaml over the user's; DEMO_DIR is where it works (default .demo/).
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { BUILTIN_PLUGINS } from "../plugins/index.ts";
import { startProsody } from "../testbed/prosody.ts";
import { startMosquitto } from "../testbed/mosquitto.ts";
import { settlesWithin } from "../testbed/timeouts.ts";
import type { TestClient } from "../testbed/xmpp-client.ts";
import { relayStdin, startBob } from "./demo-bob.ts";
import { DEMO_ROOM_NAME, demoEnv, demoRoutes, demoWebApps, writeRoutesFile, type RoutesFileOutcome } from "./demo-config.ts";

const ROOT = join(import.meta.dir, "..");
const DIR = process.env.DEMO_DIR ?? join(ROOT, ".demo");
const BIN = join(ROOT, "dist/stanzagate");
const LOG = join(DIR, "stanzagate.log");
const ROUTES = join(DIR, "routes.yaml");
/** The gateway's own shutdown waits up to 15 s for requests and the outbox; the demo has neither worth it. */
const GATEWAY_STOP_MS = 3_000;

let bob: TestClient | undefined;
let gateway: Subprocess | undefined;
let stopping = false;

freshState();
const prosody = await startProsody({ users: { alice: "alice-pw", bob: "bob-pw", carol: "carol-pw" }, extraModules: ["version"] });
const apps = demoWebApps();
// The house's MQTT bus (issue 23): its own config, data and free port, never the system service.
const broker = await startMosquitto();
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
const httpPort = Number(process.env.DEMO_HTTP_PORT ?? 5280);
const room = `${DEMO_ROOM_NAME}@${prosody.mucDomain}`;
// The room exists before the gateway starts: a bot given `rooms:` enters it at start.
bob = await startBob(prosody, room);
const has = (name: string) => BUILTIN_PLUGINS.has(name);
const routes = writeRoutesFile(ROUTES, demoRoutes(has), process.env.DEMO_RESET === "1");
gateway = Bun.spawn([BIN, "--config", ROUTES], {
  cwd: DIR,
  env: { ...process.env, ...demoEnv({ prosody, httpPort, apps: apps.url, mqttPort: broker.port }) },
  stdout: "inherit",
  stderr: Bun.file(LOG),
});
const url = `http://127.0.0.1:${httpPort}`;
await waitOnline(url, gateway);
printWelcome(gateway.pid, routes);
const house = `house@${prosody.componentDomain}`;
void relayStdin(bob, house, room);
const seconds = Number(process.env.DEMO_SECONDS ?? 0);
if (seconds > 0) setTimeout(() => void stop(0), seconds * 1000);

/**
 * A fresh store and log each time (nothing an earlier demo queued for an earlier server is
 * replayed); routes.yaml is the user's. Only the demo's own files go: DEMO_DIR may hold others.
 */
function freshState(): void {
  mkdirSync(DIR, { recursive: true });
  for (const name of ["stanzagate.db", "stanzagate.db-wal", "stanzagate.db-shm", "stanzagate.log"])
    rmSync(join(DIR, name), { force: true });
}

function printWelcome(pid: number, outcome: RoutesFileOutcome): void {
  const origin = {
    written: "the demo's own",
    kept: "yours, kept from an earlier run",
    replaced: "the demo's own (an older demo's file is kept as routes.yaml.old)",
  }[outcome];
  console.log(`
Stanzagate demo is running.
  Prosody on 127.0.0.1 (c2s ${prosody.c2sPort}, component ${prosody.componentPort}); users alice/alice-pw, bob/bob-pw, carol/carol-pw
  Stanzagate on ${url} (pid ${pid}); its log ${LOG}
  Its config ${ROUTES} is ${origin}: edit it, then reload with  kill -HUP ${pid}
  (make demo keeps your edits; make demo-reset, or DEMO_RESET=1, writes the demo's own again).
  bob is logged in, sits in ${room} (persistent, real JIDs shown) and prints what he receives below.

Try:
  curl -s ${url}/health
  curl -s -X POST ${url}/alert -H 'Authorization: Bearer demo-token-0123456789' -H 'Content-Type: application/json' -d '{"to":"bob@localhost","text":"disk full"}'
  curl -s ${url}/version/${prosody.host}
    (XEP-0092 through an iq route: the demo's Prosody loads mod_version)`);
  if (has("post_msg")) {
    console.log(`  curl -s ${url}/msg/bob -u alice:alice-pw -H 'Content-Type: text/plain' -d 'Server@host has just crashed!'
  curl -s ${url}/msg -u alice@localhost:alice-pw -d 'to=bob@localhost' -d 'body=hello from a form'
  curl -s ${url}/msg -u alice:alice-pw -H 'Content-Type: application/json' -d '{"to":"bob","body":"hello from JSON"}'`);
  }
  if (has("muc_kick")) {
    // The original module answers a kick with 200 and an empty body: -w shows the status.
    console.log(`  curl -s -w '%{http_code}\\n' ${url}/muc_kick -H 'Authorization: Basic dXNlcm5hbWU6cGFzc3dvcmQ=' -H 'Content-Type: application/json' -d '{"nickname":"Bob","muc":"${room}","reason":"demo"}'
    (prints 200; the room stays, and bob enters it again, so the kick can be tried again)`);
  }
  if (has("component_http"))
    console.log(`  (component_http: send a chat message to echo@${prosody.componentDomain} from any client; the demo webhook echoes it)`);
  if (has("roster_admin"))
    console.log(
      `  curl -s -X POST ${url}/roster_admin/refresh -H 'Authorization: Bearer demo-token-0123456789' -H 'Content-Type: application/json' -d '["bob"]'`,
    );
  printBot(pid);
  printMqtt(outcome);
  console.log("\nCtrl-C to stop.");
}

function printBot(pid: number): void {
  const house = `house@${prosody.componentDomain}`;
  console.log(`
Talk to the bot ${house} (its commands read the demo's sensors on 127.0.0.1):
  type a line here, e.g.  temp kitchen  (or temp garden, ping, help; temp attic shows the error: reply), and press Enter:
  bob sends it to ${house} and prints the reply; or log in as bob@${prosody.host} / bob-pw
  (c2s 127.0.0.1:${prosody.c2sPort}) in any client and write to ${house}.
  Its job "kitchen" tells bob the kitchen temperature when it changes (checked every 10 s).
  The bot in the room: uncomment its  rooms:  line in ${ROUTES}, save, kill -HUP ${pid},
  then type  > house: temp kitchen  (a line starting with > is said by bob in ${room}).`);
}

/** The house on MQTT: a door sensor to publish as, the lights' topic to watch, and the HTTP route that publishes. */
function printMqtt(outcome: RoutesFileOutcome): void {
  const mq = `-h 127.0.0.1 -p ${broker.port}`;
  console.log(`
MQTT (a local mosquitto on 127.0.0.1:${broker.port}, the house's bus):
  Watch the lights' topic in another terminal, then type  light kitchen on  here:
    mosquitto_sub ${mq} -v -t 'zigbee2mqtt/+/set'
  Be a Zigbee door sensor: the bot's job "doors" tells bob when a door opens or closes:
    mosquitto_pub ${mq} -t zigbee2mqtt/front_door -m '{"contact":false,"battery":97}'
    mosquitto_pub ${mq} -t zigbee2mqtt/front_door -m '{"contact":true,"battery":97}'
  HTTP -> MQTT: a route that publishes (answered 201 once the broker has it):
    curl -s -X POST ${url}/lights/hall -H 'Authorization: Bearer demo-token-0123456789' -H 'Content-Type: application/json' -d '{"state":"on"}'`);
  if (outcome === "kept" && !readFileSync(ROUTES, "utf8").includes("DEMO_MQTT_PORT"))
    console.log(`  (your ${ROUTES} has no mqtt: section yet: make demo-reset writes the demo's own, with it)`);
}

/** Everything stops at once, each part bounded: bob and the gateway leave while Prosody is still up. */
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await Promise.all([bob?.stop(), stopGateway()]);
    apps.stop();
    await Promise.all([prosody.stop(), broker.stop()]);
  }
  process.exit(code);
}

async function stopGateway(): Promise<void> {
  if (!gateway) return;
  gateway.kill("SIGTERM");
  if (await settlesWithin(gateway.exited, GATEWAY_STOP_MS)) return;
  gateway.kill("SIGKILL");
  await gateway.exited;
}

async function waitOnline(base: string, proc: Subprocess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && proc.exitCode === null) {
    const status = await fetch(`${base}/health`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await Bun.sleep(100);
  }
  const log = await Bun.file(LOG)
    .text()
    .catch(() => "");
  console.error(`Stanzagate did not come online; its log (${LOG}) ends with:\n${log.trimEnd().split("\n").slice(-15).join("\n")}`);
  if (routes === "kept") console.error(`${ROUTES} is the one you edited: fix it, or start from the demo's own with  make demo-reset`);
  await stop(1);
}
