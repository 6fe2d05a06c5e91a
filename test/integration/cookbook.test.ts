// docs/cookbook.md works as written: its routes (every ```yaml fragment of the page, merged into
// one routes.yaml) run against a real server, each sender's request is built from the sender's
// configuration on the page as that sender builds it, and what bob receives is what the page
// quotes. Change the page and this test reads the change.
import { describe, expect, test, beforeAll, afterAll } from "bun:test";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import type { Element } from "ltx";
import { testServers } from "../helpers/servers.ts";
import { useTestBed } from "../helpers/bed.ts";
import { isMessageWithBody, joinRoom } from "../../testbed/xmpp-client.ts";
import { alertPayload, installationPayload, issuePayload, legacyPayload, SLACK_STYLE_PAYLOAD } from "./cookbook-payloads.ts";

const PAGE = await Bun.file(join(import.meta.dir, "../../docs/cookbook.md")).text();
const ENV = {
  HA_TOKEN: "ha-token-0123456789abcdef",
  SCRIPT_TOKEN: "script-token-0123456789",
  SENTRY_PATH_SECRET: "s3ntry5ecret0123",
  SLACK_PATH_SECRET: "sl4ck5ecret0123",
};
/** Home Assistant's secrets.yaml, as the page describes it. */
const SECRETS: Record<string, string> = { stanzagate_authorization: `Bearer ${ENV.HA_TOKEN}` };
const ROOM = "ops@muc.localhost";

interface Fence {
  info: string;
  text: string;
}

/** Every fenced block of the page: its info string (`yaml fragment`, `sh file=x`) and text. */
function fences(markdown: string): Fence[] {
  return [...markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({ info: (m[1] ?? "").trim(), text: m[2] ?? "" }));
}

/** The page's route blocks, merged as its introduction says: auth entries together, route items together. */
function cookbookRoutes(): string {
  const auth: Record<string, unknown> = {};
  const routes: unknown[] = [];
  for (const fence of fences(PAGE).filter((f) => f.info === "yaml fragment")) {
    const piece = YAML.parse(fence.text) as { auth?: Record<string, unknown>; routes?: unknown[] };
    Object.assign(auth, piece.auth);
    routes.push(...(piece.routes ?? []));
  }
  return YAML.stringify({ auth, routes });
}

/** One of the page's Home Assistant files, `!secret` resolved from SECRETS. */
function homeAssistantFile(name: string): unknown[] {
  const secret = { tag: "!secret", resolve: (key: string) => SECRETS[key] ?? `no secret ${key}` };
  return fences(PAGE)
    .filter((f) => f.info === `yaml file=${name}`)
    .map((f) => YAML.parse(f.text, { customTags: [secret] }) as unknown);
}

function fence(info: string): string {
  const found = fences(PAGE).find((f) => f.info === info);
  if (!found) throw new Error(`docs/cookbook.md has no \`\`\`${info} block`);
  return found.text;
}

/** The `data:` of the page's automation calling `action`. */
function actionData(action: string): Record<string, string> {
  const automations = homeAssistantFile("automations.yaml").flat() as Array<{
    actions: Array<{ action: string; data: Record<string, string> }>;
  }>;
  const call = automations.flatMap((a) => a.actions).find((a) => a.action === action);
  if (!call) throw new Error(`no automation calls ${action}`);
  return call.data;
}

/** Home Assistant's templates, as far as the page uses them: {{ name }} and {{ name | tojson }}. */
function jinja(template: string, data: Record<string, string>): string {
  const out = template.replace(/\{\{\s*(\w+)\s*(?:\|\s*(\w+)\s*)?\}\}/g, (_, name: string, filter?: string) => {
    const value = data[name];
    if (value === undefined) throw new Error(`template reads ${name}, not in ${JSON.stringify(data)}`);
    if (filter === undefined) return value;
    if (filter === "tojson") return JSON.stringify(value);
    throw new Error(`this test does not render the filter ${filter}`);
  });
  if (/\{[{%]/.test(out)) throw new Error(`this test does not render ${out}`);
  return out;
}

interface RestCommand {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  content_type?: string;
  payload?: string;
}

interface RestNotify {
  resource: string;
  method?: string;
  message_param_name?: string;
  title_param_name?: string;
  headers?: Record<string, string>;
}

/**
 * rest_command's request (homeassistant/components/rest_command): the rendered payload as bytes,
 * which aiohttp labels application/octet-stream unless content_type says otherwise.
 */
function restCommandRequest(command: RestCommand, data: Record<string, string>): { url: string; init: RequestInit } {
  const headers = {
    "user-agent": "HomeAssistant/2025.1.0 aiohttp/3.11.11 Python/3.13",
    ...command.headers,
    "content-type": command.content_type ?? "application/octet-stream",
  };
  return {
    url: jinja(command.url, data),
    init: {
      method: (command.method ?? "get").toUpperCase(),
      headers,
      body: command.payload === undefined ? null : jinja(command.payload, data),
    },
  };
}

/** notify.rest's request (homeassistant/components/rest/notify.py): GET query, POST form or POST_JSON. */
function notifyRestRequest(notify: RestNotify, data: Record<string, string>): { url: string; init: RequestInit } {
  const fields: Record<string, string> = { [notify.message_param_name ?? "message"]: data.message ?? "" };
  // ATTR_TITLE_DEFAULT: the title Home Assistant sends when the action gives none.
  if (notify.title_param_name) fields[notify.title_param_name] = data.title ?? "Home Assistant";
  const headers = { "user-agent": "HomeAssistant/2025.1.0 httpx/0.28.1 Python/3.13", ...notify.headers };
  const method = notify.method ?? "GET";
  if (method === "POST_JSON")
    return {
      url: notify.resource,
      init: { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(fields) },
    };
  if (method === "POST")
    return {
      url: notify.resource,
      init: {
        method: "POST",
        headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      },
    };
  return { url: `${notify.resource}?${new URLSearchParams(fields)}`, init: { method: "GET", headers } };
}

/** A message as the page quotes it: it must be on the page, and it is what arrives. */
function quoted(text: string): string {
  expect(PAGE).toContain(`\`${text}\``);
  return text;
}

const sentryHeaders = (resource: string, body: string) => ({
  "content-type": "application/json",
  "request-id": randomUUID(),
  "sentry-hook-resource": resource,
  "sentry-hook-timestamp": String(Math.floor(Date.now() / 1000)),
  "sentry-hook-signature": createHmac("sha256", "the integration's client secret").update(body).digest("hex"),
});

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { gateway: { routes: cookbookRoutes(), env: ENV }, clients: ["bob"] });
    const dir = mkdtempSync(join(tmpdir(), "cookbook-"));

    beforeAll(async () => {
      await joinRoom(bed.bob, ROOM, "Bob");
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** The sender's URL, on the test's gateway: same path and query, another origin. */
    const send = (url: string, init: RequestInit) => {
      const target = new URL(url);
      return fetch(`${bed.gw.url}${target.pathname}${target.search}`, init);
    };
    const received = async (): Promise<Element> => bed.bob.nextStanza(isMessageWithBody);
    const bodyOf = async () => (await received()).getChildText("body");

    describe("Home Assistant rest_command", () => {
      const command = () =>
        (
          homeAssistantFile("configuration.yaml").find((f) => (f as { rest_command?: unknown }).rest_command) as {
            rest_command: Record<string, RestCommand>;
          }
        ).rest_command.xmpp_message as RestCommand;

      test("the automation's message reaches bob", async () => {
        const { url, init } = restCommandRequest(command(), actionData("rest_command.xmpp_message"));
        expect((await send(url, init)).status).toBe(201);
        const message = await received();
        expect({ from: message.attrs.from, body: message.getChildText("body") }).toEqual({
          from: "gateway.localhost",
          body: quoted("The front door opened"),
        });
      });

      test("quotes and new lines stay valid JSON through tojson and arrive as written", async () => {
        const { url, init } = restCommandRequest(command(), { to: "bob", message: 'He said "hi"\nand left' });
        expect((await send(url, init)).status).toBe(201);
        expect(await bodyOf()).toBe('He said "hi"\nand left');
      });

      test("without content_type Home Assistant sends application/octet-stream, and the answer is 415", async () => {
        const { content_type: _, ...withoutType } = command();
        const { url, init } = restCommandRequest(withoutType, actionData("rest_command.xmpp_message"));
        const res = await send(url, init);
        expect({ status: res.status, body: await res.json() }).toEqual({
          status: 415,
          body: {
            error: "Unsupported Content-Type",
            code: "UNSUPPORTED_MEDIA_TYPE",
            accepted: ["text/plain", "application/x-www-form-urlencoded", "application/json"],
            hint: "The body is JSON but was sent as application/octet-stream: send it with Content-Type: application/json",
          },
        });
      });
    });

    describe("Home Assistant notify.rest", () => {
      const notify = () =>
        (homeAssistantFile("configuration.yaml").find((f) => (f as { notify?: unknown }).notify) as { notify: RestNotify[] })
          .notify[0] as RestNotify;

      test("POST_JSON: the title and the message reach bob", async () => {
        const { url, init } = notifyRestRequest(notify(), actionData("notify.xmpp_bob"));
        expect((await send(url, init)).status).toBe(201);
        expect(await bodyOf()).toBe(quoted("Laundry: The washing machine is done"));
      });

      test("without a title in the action, Home Assistant's default title is sent", async () => {
        const { title: _, ...untitled } = actionData("notify.xmpp_bob");
        const { url, init } = notifyRestRequest(notify(), untitled);
        expect((await send(url, init)).status).toBe(201);
        expect(await bodyOf()).toBe(quoted("Home Assistant: The washing machine is done"));
      });

      test("method: POST sends a form, which the same route reads alike", async () => {
        const { url, init } = notifyRestRequest({ ...notify(), method: "POST" }, actionData("notify.xmpp_bob"));
        expect((await send(url, init)).status).toBe(201);
        expect(await bodyOf()).toBe("Laundry: The washing machine is done");
      });

      test("the platform's default method, GET, is answered 405", async () => {
        const { method: _, ...byDefault } = notify();
        const { url, init } = notifyRestRequest(byDefault, actionData("notify.xmpp_bob"));
        const res = await send(url, init);
        expect({ status: res.status, code: ((await res.json()) as { code: string }).code }).toEqual({
          status: 405,
          code: "METHOD_NOT_ALLOWED",
        });
      });
    });

    describe("Sentry", () => {
      const post = (path: string, resource: string, payload: unknown) => {
        const body = JSON.stringify(payload);
        return bed.gw.post(path, { headers: sentryHeaders(resource, body), body });
      };
      const roomMessage = async () => {
        const message = await received();
        return { from: message.attrs.from, body: message.getChildText("body") };
      };

      test("an internal integration's alert rule posts in the room", async () => {
        expect((await post(`/sentry/${ENV.SENTRY_PATH_SECRET}`, "event_alert", alertPayload())).status).toBe(201);
        expect(await roomMessage()).toEqual({
          from: `${ROOM}/Sentry`,
          body: quoted(
            "[ERROR] TypeError: cart is undefined (Checkout errors) https://sentry.io/organizations/shop/issues/4711/events/9f2c/",
          ),
        });
      });

      test("an issue webhook posts in the room; the installation webhook is answered 204", async () => {
        expect((await post(`/sentry/${ENV.SENTRY_PATH_SECRET}`, "installation", installationPayload())).status).toBe(204);
        expect((await post(`/sentry/${ENV.SENTRY_PATH_SECRET}`, "issue", issuePayload())).status).toBe(201);
        expect(await roomMessage()).toEqual({
          from: `${ROOM}/Sentry`,
          body: quoted("[issue created] TypeError: cart is undefined https://sentry.io/organizations/shop/issues/4711/"),
        });
      });

      test("the legacy WebHooks plugin posts in the room", async () => {
        const body = JSON.stringify(legacyPayload());
        const res = await bed.gw.post(`/sentry-legacy/${ENV.SENTRY_PATH_SECRET}`, {
          headers: { "content-type": "application/json", "user-agent": "sentry-webhooks/24.1.0" },
          body,
        });
        expect(res.status).toBe(201);
        expect(await roomMessage()).toEqual({
          from: `${ROOM}/Sentry`,
          body: quoted("[ERROR] Shop: cart is undefined https://sentry.io/organizations/shop/issues/4711/?referrer=webhooks_plugin"),
        });
      });

      test("a wrong secret in the path is not found", async () => {
        expect((await post("/sentry/guess", "event_alert", alertPayload())).status).toBe(404);
      });
    });

    describe("Slack-style senders", () => {
      test("the page's curl reaches bob with the sender's name", async () => {
        const curl = fence("sh").replace("https://stanzagate.example.org", bed.gw.url);
        const run = Bun.spawn(["sh", "-c", curl], {
          env: { ...process.env, SLACK_PATH_SECRET: ENV.SLACK_PATH_SECRET },
          stdout: "ignore",
          stderr: "ignore",
        });
        expect(await run.exited).toBe(0);
        expect(await bodyOf()).toBe(quoted("ci: Deploy of shop finished"));
      });

      test("a payload with attachments, blocks and an emoji is accepted; its text arrives", async () => {
        const res = await bed.gw.post(`/slack/${ENV.SLACK_PATH_SECRET}/bob`, {
          headers: { "content-type": "application/json" },
          body: JSON.stringify(SLACK_STYLE_PAYLOAD),
        });
        expect(res.status).toBe(201);
        expect(await bodyOf()).toBe(`${SLACK_STYLE_PAYLOAD.username}: ${SLACK_STYLE_PAYLOAD.text}`);
      });
    });

    describe("a shell script", () => {
      const script = join(dir, "xmpp-notify");
      /** The script run as a shell runs it (asynchronously: the gateway answering it is in this process). */
      const run = async (args: string[], stdin?: string, token = ENV.SCRIPT_TOKEN) => {
        const proc = Bun.spawn(["sh", script, ...args], {
          env: { ...process.env, STANZAGATE_URL: bed.gw.url, STANZAGATE_TOKEN: token, XMPP_TO: "bob" },
          stdin: stdin === undefined ? "ignore" : new Blob([stdin]),
          stderr: "pipe",
        });
        return { exitCode: await proc.exited, stderr: await new Response(proc.stderr).text() };
      };
      beforeAll(() => writeFileSync(script, fence("sh file=xmpp-notify")));

      test("its arguments reach bob", async () => {
        expect((await run(["backup", "of", "db1", "done"])).exitCode).toBe(0);
        expect(await bodyOf()).toBe(quoted("backup of db1 done"));
      });

      test("standard input reaches bob with its lines", async () => {
        expect((await run([], "Filesystem Size Used\n/dev/sda1 20G 12G\n")).exitCode).toBe(0);
        expect(await bodyOf()).toBe("Filesystem Size Used\n/dev/sda1 20G 12G");
      });

      test("a refused request makes the script fail with curl's exit 22", async () => {
        const refused = await run(["x"], undefined, "a-wrong-token-0123456789");
        expect({ exit: refused.exitCode, stderr: refused.stderr }).toEqual({ exit: 22, stderr: expect.stringContaining("401") });
      });
    });
  });
