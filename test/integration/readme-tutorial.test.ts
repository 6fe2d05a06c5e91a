// The README's "Your first 10 minutes", followed as written on a demo-like setup: the demo's
// Prosody users and routes.yaml (scripts/demo-config.ts), its sensors, bob logged in. Each step is
// read from README.md in order: a ```yaml fragment is added where the text says (a route under
// `routes:`, a command under the house bot's `commands:`), a shell line is run (`curl`, `check`,
// `render`; the reload line becomes a SIGHUP to this test's gateway), and a line the reader is told
// to "type" is sent by bob to the bot. What the README says arrives is what must arrive.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import xml from "@xmpp/xml";
import type { Subprocess } from "bun";
import YAML, { type YAMLSeq } from "yaml";
import { demoEnv, demoRoutes, demoWebApps } from "../../scripts/demo-config.ts";
import { startMosquitto, type TestMosquitto } from "../../testbed/mosquitto.ts";
import { freePort } from "../../testbed/ports.ts";
import { startProsody } from "../../testbed/prosody.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { connectClient, joinRoom, type TestClient } from "../../testbed/xmpp-client.ts";
import { say } from "../helpers/bot-chat.ts";
import { waitFor } from "../../testbed/timeouts.ts";
import { configureRoom } from "./plugins/muc_kick-fixtures.ts";

const ROOT = join(import.meta.dir, "../..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const TUTORIAL = README.split("\n## Your first 10 minutes\n")[1]?.split("\n## ")[0] ?? "";
const BIN = process.env.STANZAGATE_BIN ?? join(ROOT, "dist/stanzagate");
const GATEWAY = existsSync(BIN) ? [BIN] : [process.execPath, join(ROOT, "src/main.ts")];
const WAIT_MS = 15_000;

/** What the README promises for each line typed to the bot (checked to be in the README too). */
const BOT_REPLIES: Record<string, string> = { "temp kitchen": "kitchen: 21.5 °C", "hello bob": "Hello bob, you are bob@localhost." };
/** What bob receives from the routes, in the order of the tutorial's curl commands. */
const DELIVERED = ["disk full", "backup done", "🔴 DOWN: Homepage — getaddrinfo ENOTFOUND www.example.org (https://www.example.org)"];

type Step = { kind: "yaml"; text: string } | { kind: "sh"; line: string } | { kind: "type"; line: string };

/** The tutorial's steps in reading order: YAML fragments, shell lines, lines to type to the bot. */
function steps(markdown: string): Step[] {
  const out: Step[] = [];
  for (const [i, part] of markdown.split(/^```/m).entries()) {
    if (i % 2 === 0) {
      for (const m of part.matchAll(/[Tt]ype `([^`]+)`|`(curl [^`]+)`/g))
        out.push(m[1] ? { kind: "type", line: m[1] } : { kind: "sh", line: m[2] as string });
    } else if (part.startsWith("yaml fragment\n")) out.push({ kind: "yaml", text: part.slice("yaml fragment\n".length) });
    else if (part.startsWith("sh\n"))
      for (const line of part
        .slice(3)
        .split("\n")
        .filter((l) => l.trim()))
        out.push({ kind: "sh", line });
  }
  return out;
}

let prosody: XmppServer;
let apps: ReturnType<typeof demoWebApps>;
let broker: TestMosquitto;
let gateway: Subprocess;
let bob: TestClient;
let alice: TestClient;
let log = "";
let port = 0;
const dir = mkdtempSync(join(tmpdir(), "sg-tutorial-"));
const routesFile = join(dir, "routes.yaml");

beforeAll(async () => {
  prosody = await startProsody({ users: { alice: "alice-pw", bob: "bob-pw", carol: "carol-pw" } });
  apps = demoWebApps();
  // The demo's broker (its house bot switches lights and watches doors over MQTT).
  broker = await startMosquitto();
  port = await freePort();
  writeFileSync(
    routesFile,
    demoRoutes(() => true),
  );
  // The demo's routes.yaml reads this run's ports from the environment the demo gives the gateway.
  const env = { ...process.env, ...demoEnv({ prosody, httpPort: port, apps: apps.url, mqttPort: broker.port }) };
  gateway = Bun.spawn([...GATEWAY, "--config", routesFile], { cwd: dir, env, stdout: "ignore", stderr: "pipe" });
  void (async () => {
    for await (const chunk of gateway.stderr as ReadableStream<Uint8Array>) log += new TextDecoder().decode(chunk);
  })();
  await waitFor(() => log.includes('"msg":"component online"'), WAIT_MS, "the gateway to come online");
  bob = await connectClient(prosody, "bob", { resource: "demo" });
  // The demo's room, as the demo keeps it: persistent and non-anonymous (docs/servers.md, "Rooms").
  alice = await connectClient(prosody, "alice");
  await joinRoom(alice, `room@${prosody.mucDomain}`, "Alice");
  await configureRoom(alice, `room@${prosody.mucDomain}`, { "muc#roomconfig_persistentroom": "1", "muc#roomconfig_whois": "anyone" });
}, 60_000);

afterAll(async () => {
  await alice?.stop();
  await bob?.stop();
  gateway?.kill("SIGTERM");
  await gateway?.exited;
  apps?.stop();
  await broker?.stop();
  await prosody?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** routes.yaml with a fragment added where the tutorial says: a route, or a command of the house bot. */
function addFragment(text: string): void {
  const doc = YAML.parseDocument(readFileSync(routesFile, "utf8"));
  const items = YAML.parse(text) as Array<Record<string, unknown>>;
  for (const item of items) {
    const house = (doc.get("bots") as YAMLSeq<YAML.YAMLMap>).items.find((b) => String(b.get("jid")).startsWith("house@"));
    const target = "match" in item ? (house?.get("commands") as YAMLSeq) : (doc.get("routes") as YAMLSeq);
    target.add(doc.createNode(item));
  }
  writeFileSync(routesFile, doc.toString());
}

/** SIGHUP, then the log line saying the new file is the running one. */
async function reload(): Promise<void> {
  const before = log.split("configuration reloaded").length;
  gateway.kill("SIGHUP");
  await waitFor(() => log.split("configuration reloaded").length > before || log.includes("reload refused"), WAIT_MS, "the reload");
  expect(log).not.toContain("reload refused");
}

/** A shell line of the tutorial, run at the root of the checkout against this test's gateway. */
function run(line: string): { code: number; out: string } {
  const command = line
    .replaceAll("127.0.0.1:5280", `127.0.0.1:${port}`)
    .replaceAll(".demo/routes.yaml", routesFile)
    .replaceAll("dist/stanzagate", GATEWAY.join(" "));
  const result = Bun.spawnSync(["sh", "-c", command], { cwd: ROOT });
  return { code: result.exitCode, out: result.stdout.toString() + result.stderr.toString() };
}

test("the README's first 10 minutes work as written", async () => {
  const delivered: string[] = [];
  const house = `house@${prosody.componentDomain}`;
  const tutorial = steps(TUTORIAL);
  expect(tutorial.filter((s) => s.kind === "sh" && s.line.startsWith("curl ") && / -d /.test(s.line)).length).toBe(DELIVERED.length);
  for (const step of tutorial) {
    if (step.kind === "yaml") addFragment(step.text);
    else if (step.kind === "type") {
      // In its own <thread>: the demo bot's job also writes to bob, about 10 s after start.
      const reply = (await (await say(bob, house, step.line)).reply(WAIT_MS)).getChildText("body");
      expect({ typed: step.line, reply }).toEqual({
        typed: step.line,
        reply: BOT_REPLIES[step.line] ?? expect.not.stringContaining("Unknown command"),
      });
    } else if (step.line.startsWith("pkill -HUP")) await reload();
    else if (step.line.startsWith("curl ")) {
      const { out } = run(`${step.line} -o /dev/null -w '%{http_code}'`);
      expect({ command: step.line, status: out }).toEqual({ command: step.line, status: expect.stringMatching(/^20[012]$/) });
      if (!/ -d /.test(step.line)) continue; // a GET such as /health sends nothing
      const message = await bob.nextStanza((s) => s.name === "message" && s.attrs.from === prosody.componentDomain, WAIT_MS);
      delivered.push(message.getChildText("body") ?? "");
    } else {
      const { code, out } = run(step.line);
      expect({ command: step.line, code }).toEqual({ command: step.line, code: 0 });
      if (step.line.includes(" render ")) expect(TUTORIAL).toContain(out.trim());
    }
  }
  expect(delivered).toEqual(DELIVERED);
  for (const text of [...DELIVERED, ...Object.values(BOT_REPLIES)]) expect(TUTORIAL).toContain(text);
}, 120_000);

test("the bot in the demo's room, as the README's step 4 says", async () => {
  const rooms = "rooms: [{ jid: room@muc.localhost }]";
  expect(TUTORIAL).toContain(rooms);
  const doc = YAML.parseDocument(readFileSync(routesFile, "utf8"));
  const house = (doc.get("bots") as YAMLSeq<YAML.YAMLMap>).items.find((b) => String(b.get("jid")).startsWith("house@"));
  house?.set("rooms", doc.createNode([{ jid: `room@${prosody.mucDomain}` }]));
  writeFileSync(routesFile, doc.toString());
  const room = `room@${prosody.mucDomain}`;
  const entered = alice.nextStanza((s) => s.name === "presence" && s.attrs.from === `${room}/house` && s.attrs.type === undefined, WAIT_MS);
  await reload();
  await entered;
  expect(TUTORIAL).toContain("`house: temp kitchen`");
  await alice.send(
    xml("message", { to: room, type: "groupchat", id: `tutorial-${crypto.randomUUID()}` }, xml("body", {}, "house: temp kitchen")),
  );
  const reply = await alice.nextStanza(
    (s) => s.name === "message" && s.attrs.type === "groupchat" && (s.getChildText("body") ?? "").includes("kitchen: 21.5 °C"),
    WAIT_MS,
  );
  expect(reply.getChildText("body")).toBe(`Alice: ${BOT_REPLIES["temp kitchen"]}`);
}, 60_000);
