/**
 * A declarative route: auth -> read and check the body -> `when:` -> render the stanza templates
 * -> deliver each -> 201 {"status":"sent"} when all were sent, 202 {"status":"queued"} when any
 * was queued, 204 when `when:` is false or the templates produced nothing; with `publish:`, one
 * MQTT message instead (publish.ts). No code per integration.
 */
import type { Element } from "ltx";
import type { DeclarativeRouteConfig } from "./types.ts";
import { GatewayError, errorResponse, jsonResponse } from "../../plugin-api/errors.ts";
import type { HttpHandler } from "../../plugin-api/index.ts";
import type { Authenticator, Identity } from "../../auth/types.ts";
import { requireMayAddress } from "../../kit/auth.ts";
import { iqRoundTrip, isIqRequest, type IqPort } from "./iq-route.ts";
import { renderRequest } from "./render-request.ts";
import { routeBody } from "./route-body.ts";
import { attachmentMessages, carriesFiles, readAttached } from "./attach.ts";
import type { FilesPort } from "../../files/types.ts";
import { withRequestFiles } from "../../files/request-files.ts";
import { headersOf } from "../../templates/scope.ts";
import type { RespondScope } from "./respond.ts";
import { memoryRemembered, type Remembered } from "./correct.ts";
import type { RouteRoomSettings } from "../../rooms/route-rooms.ts";
import { routeRoomSettings } from "./room-settings.ts";
import { publishRequest, type CompiledPublish } from "./publish.ts";
import type { Mqtt } from "../../mqtt/types.ts";
import type { TemplateScope } from "../../templates/scope.ts";

/** XEP-0045 §7.4: a message to all occupants of a room. */
const isGroupchat = (stanza: Element) => stanza.name === "message" && stanza.attrs.type === "groupchat";

export interface DeclarativeDeps {
  auth: Authenticator | undefined;
  component: string;
  maxBodyBytes: number;
  deliver(stanza: Element): Promise<"sent" | "queued">;
  /** A groupchat to a room: entered first, confirmed by the room's echo (route-rooms.ts); absent (render), `deliver`. */
  groupchat?(stanza: Element, settings: RouteRoomSettings): Promise<"sent" | "queued">;
  newId(): string;
  /** Sends iq get/set templates and waits for the answer (iq-route.ts). */
  iq: IqPort & { defaultTimeoutMs: number };
  /** Where `correct:` remembers the first message of each thread (correct.ts); memory when absent. */
  remembered?: Remembered;
  /** Where `attach:` files go (src/files/); undefined when attachments are off. */
  files?: FilesPort | undefined;
  /** The broker, for a route with `publish:` (undefined without the mqtt: section). */
  mqtt?: Pick<Mqtt, "publish"> | undefined;
}

export function declarativeHandler(route: DeclarativeRouteConfig, deps: DeclarativeDeps): HttpHandler {
  const remembered = deps.remembered ?? memoryRemembered();
  return async function serveDeclarativeRoute({ request, params, ip }) {
    try {
      const user = deps.auth ? await deps.auth.authenticate(request, ip) : undefined;
      // What the request stores is forgotten when it is refused (files/request-files.ts).
      return await withRequestFiles(deps.files, (files) => serve(route, { ...deps, files, remembered }, { request, params, ip, user }));
    } catch (err) {
      // Anything else is a fault: rethrown so the HTTP layer logs it with its stack and answers 500.
      if (!(err instanceof GatewayError)) throw err;
      return errorResponse(err);
    }
  };
}

interface Caller {
  request: Request;
  params: Record<string, string>;
  ip: string;
  user: Identity | undefined;
}

async function serve(
  route: DeclarativeRouteConfig,
  deps: DeclarativeDeps & { remembered: Remembered },
  { request, params, ip, user }: Caller,
): Promise<Response> {
  const url = new URL(request.url);
  const attached = await filesOf(route, deps, request, user?.name ?? ip);
  const body = attached ? (route.body?.parse(attached.fields ?? {}) ?? attached.fields ?? {}) : await bodyOf(route, deps, request);
  const scope = {
    params,
    query: Object.fromEntries(url.searchParams),
    body,
    headers: headersOf(request.headers),
    user,
    id: deps.newId(),
  };
  if (route.publish) return publishOnce(route, route.publish, scope, deps.mqtt);
  const rendered = renderRequest(route, scope, deps);
  const { cut } = rendered;
  if (!rendered.stanzas.length) return new Response(null, { status: 204 });
  const stored = attached?.files ?? [];
  const stanzas = [...rendered.stanzas, ...attachmentMessages(rendered.stanzas, stored, deps.component, deps.newId)];
  for (const stanza of stanzas) requireMayAddress(user, stanza.attrs.to);
  const [first] = stanzas;
  if (stanzas.length === 1 && first && isIqRequest(first))
    return await askIq(route, deps, first, request, { params, query: scope.query, body, user: user ?? null });
  const remember = await route.correct?.apply(stanzas, scope, deps.remembered, { strict: route.strict });
  const settings = routeRoomSettings(route, deps.iq.defaultTimeoutMs);
  const send = (stanza: Element) => (deps.groupchat && isGroupchat(stanza) ? deps.groupchat(stanza, settings) : deps.deliver(stanza));
  const { status, body: answer } = await deliverAll(stanzas, cut, send);
  const unsaved = remember ? await saveThreads(remember) : undefined;
  const files = stored.length ? { files: stored.map(({ name, type, size, sha256, url }) => ({ name, type, size, sha256, url })) } : {};
  return jsonResponse(status, { ...answer, ...files, ...(unsaved ? { correction: unsaved } : {}) });
}

/** `publish:` (publish.ts): `when:` false is 204 and nothing published, as for `send:`. */
function publishOnce(route: DeclarativeRouteConfig, spec: CompiledPublish, scope: TemplateScope, mqtt: DeclarativeDeps["mqtt"]) {
  const options = { strict: route.strict };
  if (route.when && !route.when.test(scope, options)) return new Response(null, { status: 204 });
  return publishRequest(spec, scope, options, mqtt);
}

function bodyOf(route: DeclarativeRouteConfig, deps: DeclarativeDeps, request: Request): Promise<Record<string, unknown>> {
  return route.method === "GET" ? Promise.resolve(route.body?.parse({}) ?? {}) : routeBody(request, deps.maxBodyBytes, route.body);
}

/** `attach:`: the files of a request that carries some (attach.ts), stored before anything is rendered. */
async function filesOf(route: DeclarativeRouteConfig, deps: DeclarativeDeps, request: Request, sender: string) {
  if (!route.attach || route.method === "GET" || !carriesFiles(request, route.attach)) return undefined;
  if (!deps.files) throw new GatewayError("ATTACHMENTS_OFF");
  return readAttached(request, route.attach, deps.files, sender, deps.maxBodyBytes);
}

/** An iq get/set template: a round trip answered with the reply (never the outbox). */
function askIq(
  route: DeclarativeRouteConfig,
  deps: DeclarativeDeps,
  iq: Element,
  request: Request,
  scope: Omit<RespondScope, "reply">,
): Promise<Response> {
  const timeoutMs = route.timeoutMs ?? deps.iq.defaultTimeoutMs;
  return iqRoundTrip({ iq, timeoutMs, accept: request.headers.get("accept"), respond: route.respond, scope }, deps.iq);
}

/**
 * After delivery: a thread the store could not remember (disk full) is said in the 2xx, never
 * turned into a 5xx: the message went, and a client retrying a 5xx would send it twice. The
 * store's health, a warning and a metric report it (store/threads.ts); the thread's next
 * message starts a new one (or, after a failed `last`, corrects the old one once more).
 */
async function saveThreads(remember: () => Promise<void>): Promise<{ saved: false; error: string } | undefined> {
  try {
    await remember();
    return undefined;
  } catch (err) {
    return { saved: false, error: `the correction key could not be saved: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** One after the other, each confirmed; a refusal midway says which were already delivered. */
async function deliverAll(
  stanzas: Element[],
  cut: number,
  send: (stanza: Element) => Promise<"sent" | "queued">,
): Promise<{ status: 201 | 202; body: Record<string, unknown> }> {
  const ids: string[] = [];
  let queued = false;
  for (const stanza of stanzas) {
    try {
      queued = (await send(stanza)) === "queued" || queued;
    } catch (err) {
      if (err instanceof GatewayError && ids.length) err.details.delivered = ids;
      throw err;
    }
    ids.push(stanza.attrs.id as string);
  }
  const status = queued ? "queued" : "sent";
  return { status: queued ? 202 : 201, body: { status, id: ids[0], ...(ids.length > 1 ? { ids } : {}), ...(cut ? { cut } : {}) } };
}
