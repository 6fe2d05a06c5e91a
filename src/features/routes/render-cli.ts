/**
 * `stanzagate render --config FILE --route PATH [--method M] [--body FILE] [--header K:V]...
 * [--query k=v]... [--pretty]`: the stanzas one request would produce (or, for a `publish:`
 * route, the MQTT message), without connecting (`--route mqtt:TOPIC`: one MQTT message's,
 * render-mqtt.ts).
 *
 * The request goes through the same handler as `serve` (body check, `when:`, templates,
 * max_stanzas), with a delivery that only collects: what it prints is what would be sent, and an
 * error is the HTTP answer the caller would get. Auth is not checked (there is no one to ask),
 * so `user` is empty in templates.
 */
import { Element } from "ltx";
import type { LoadedConfig } from "../../config/load.ts";
import type { DeclarativeRouteConfig } from "./types.ts";
import { declarativeHandler } from "./handler.ts";
import type { CliOutput } from "../../feature-api.ts";
import { memoryRemembered, type Remembered } from "./correct.ts";
import type { FilesPort } from "../../files/types.ts";
import { renderFiles } from "./render-files.ts";
import type { TopicWatchers } from "../../mqtt/render.ts";
import { MQTT_RENDER, renderMqtt } from "./render-mqtt.ts";

export interface RenderRequest {
  route: string;
  method?: string;
  /** The body's bytes (from --body FILE), if any. */
  body?: Uint8Array;
  headers: Array<[string, string]>;
  query: Array<[string, string]>;
  pretty: boolean;
  /** A format route's stanzas instead of its bodies (a declarative route's are always printed: they are what it writes). */
  xml?: boolean;
  /** `correct:` threads across several renders (tests); one render alone has none open. */
  remembered?: Remembered;
  /** `--route mqtt:TOPIC`: the bot jobs watching topics, rendered with the MQTT routes. */
  watchers?: TopicWatchers;
}

/** Returns the exit code: 0 when the request would succeed (201 or 204), 1 for its error answer, 2 for no such route. */
export async function renderCommand(config: LoadedConfig, req: RenderRequest, io: CliOutput): Promise<number> {
  if (req.route.startsWith(MQTT_RENDER))
    return renderMqtt(
      config,
      req.route.slice(MQTT_RENDER.length),
      req.body,
      {
        ...io,
        pretty: (el) => (req.pretty ? pretty(el) : el.toString()),
      },
      req.watchers,
    );
  const url = new URL(req.route, "http://render.invalid");
  for (const [k, v] of req.query) url.searchParams.append(k, v);
  const method = (req.method ?? "").toUpperCase();
  const found = findRoute(config, url.pathname, method);
  if (!found) {
    const known = declarative(config).map((r) => `${r.method} ${r.path}`);
    io.err(`no declarative route serves ${method || "any method"} ${url.pathname} (declarative routes: ${known.join(", ") || "none"})`);
    return 2;
  }
  const { route, params } = found;
  // `attach:`: files go to a store in a temporary folder, gone when the command ends.
  const files = route.attach ? renderFiles(config) : undefined;
  try {
    return await render(config, route, params, url, req, io, files?.port);
  } finally {
    files?.remove();
  }
}

async function render(
  config: LoadedConfig,
  route: DeclarativeRouteConfig,
  params: Record<string, string>,
  url: URL,
  req: RenderRequest,
  io: CliOutput,
  files: FilesPort | undefined,
): Promise<number> {
  const sent: Element[] = [];
  const published: string[] = [];
  let n = 0;
  const handler = declarativeHandler(route, {
    auth: undefined,
    component: config.xmpp.component,
    maxBodyBytes: config.http.max_body_bytes,
    deliver: async (stanza) => (sent.push(stanza), "sent"),
    newId: () => `render-${++n}`,
    remembered: req.remembered ?? memoryRemembered(),
    files,
    // `publish:`: what would go to the broker, printed as `mosquitto_sub -v` shows a message.
    mqtt: {
      publish: async (topic, payload, { qos, retain }) =>
        void published.push(`${topic} ${String(payload)}  (qos ${qos}${retain ? ", retained" : ""})`),
    },
    // render never connects: an iq route's request is printed, and answered as an empty result.
    iq: {
      isOnline: () => true,
      defaultTimeoutMs: config.xmpp.iq_timeout_ms,
      request: async (iq) => {
        sent.push(iq);
        return new Element("iq", { type: "result", id: iq.attrs.id, from: iq.attrs.to, to: iq.attrs.from });
      },
    },
  });
  const headers = new Headers(req.headers);
  if (req.body && !headers.has("content-type")) headers.set("content-type", guessType(req.body));
  const request = new Request(url.href, {
    method: route.method,
    headers,
    ...(req.body && route.method !== "GET" ? { body: req.body } : {}),
  });
  const response = await handler({ request, params, ip: "127.0.0.1" });
  for (const stanza of sent) io.out(req.pretty ? pretty(stanza) : stanza.toString());
  for (const line of published) io.out(line);
  if (response.status === 204) io.err("204: nothing would be sent (when: is false, or the templates produced no stanza)");
  else if (!response.ok) io.err(`${response.status} ${await response.text()}`);
  return response.ok ? 0 : 1;
}

/** Whether a declarative route (a preset written in YAML among them) answers the request; else render-offline.ts does. */
export function servesDeclarative(config: LoadedConfig, req: Pick<RenderRequest, "route" | "method">): boolean {
  if (req.route.startsWith(MQTT_RENDER)) return true;
  return findRoute(config, new URL(req.route, "http://render.invalid").pathname, (req.method ?? "").toUpperCase()) !== undefined;
}

/** The declarative route a path and method reach, with its `:params`; the method defaults to the route's. */
function findRoute(
  config: LoadedConfig,
  path: string,
  method: string,
): { route: DeclarativeRouteConfig; params: Record<string, string> } | undefined {
  for (const route of declarative(config)) {
    if (method && route.method !== method) continue;
    const params = matchPath(route.path, path);
    if (params) return { route, params };
  }
  return undefined;
}

function declarative(config: LoadedConfig): DeclarativeRouteConfig[] {
  return config.routes.filter((r): r is DeclarativeRouteConfig => r.kind === "declarative");
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.replace(/\/$/, "").split("/");
  const got = path.replace(/\/$/, "").split("/");
  if (got.length > want.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, seg] of want.entries()) {
    const value = got[i];
    const name = /^:([^?]+)(\?)?$/.exec(seg);
    if (!name) {
      if (seg !== value) return undefined;
    } else if (value !== undefined && value !== "") params[name[1] as string] = decodeURIComponent(value);
    else if (!name[2]) return undefined;
  }
  return params;
}

/** JSON when the bytes are a JSON object, else plain text (what `curl -d @file` users mean). */
export function guessType(body: Uint8Array): string {
  try {
    const v: unknown = JSON.parse(new TextDecoder().decode(body));
    if (v !== null && typeof v === "object") return "application/json";
  } catch {
    // not JSON: text
  }
  return "text/plain; charset=utf-8";
}

/** One element per line, children indented; text stays on its element's line. */
export function pretty(el: Element, depth = 0): string {
  const pad = "  ".repeat(depth);
  const elements = el.children.filter((c): c is Element => typeof c !== "string");
  const mixed = el.children.some((c) => typeof c === "string" && c.trim() !== "");
  if (!elements.length || mixed) return pad + el.toString();
  const open = el.toString().replace(/>[\s\S]*$/, ">");
  return [open, ...elements.map((c) => pretty(c, depth + 1)), `</${el.name}>`]
    .map((l, i, all) => (i === 0 || i === all.length - 1 ? pad + l : l))
    .join("\n");
}
