// A real local webhook for component_http tests: Bun.serve on 127.0.0.1, port 0. Each test says
// how to answer; every request is recorded with its headers and the client's port (to see
// keep-alive) and can be awaited like a stanza, so no test sleeps.
import type { Server } from "bun";
import type { Element } from "ltx";

interface WebhookRequest {
  method: string;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
  /** The caller's TCP source port: equal ports mean one reused connection. */
  clientPort: number;
}

type Answer = (req: WebhookRequest) => Response | Promise<Response>;

export interface TestWebhook {
  url: string;
  received: WebhookRequest[];
  /** How the next requests are answered (default 204). */
  answer: Answer;
  /** The first matching request not yet taken, already arrived or yet to come. */
  next(matches?: RequestPredicate, timeoutMs?: number): Promise<WebhookRequest>;
  stop(): Promise<void>;
}

const WAIT_MS = 5_000;

export type RequestPredicate = (req: WebhookRequest) => boolean;

interface Waiter {
  matches: RequestPredicate;
  resolve(req: WebhookRequest): void;
}

export function startWebhook(): TestWebhook {
  const pending: WebhookRequest[] = [];
  const waiters: Waiter[] = [];
  const received: WebhookRequest[] = [];
  let server: Server<unknown> | undefined;
  const hook: TestWebhook = {
    url: "",
    received,
    answer: () => new Response(null, { status: 204 }),
    next: (matches = () => true, timeoutMs = WAIT_MS) => takeNext(pending, waiters, matches, timeoutMs),
    stop: async () => void (await server?.stop(true)),
  };
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request, srv) {
      const text = await request.text();
      const req = {
        method: request.method,
        headers: request.headers,
        text,
        json: tryJson(text),
        clientPort: srv.requestIP(request)?.port ?? 0,
      };
      received.push(req);
      const index = waiters.findIndex((w) => w.matches(req));
      if (index === -1) pending.push(req);
      else waiters.splice(index, 1)[0]?.resolve(req);
      return hook.answer(req);
    },
  });
  hook.url = `http://127.0.0.1:${server.port}/hook`;
  return hook;
}

function takeNext(pending: WebhookRequest[], waiters: Waiter[], matches: RequestPredicate, timeoutMs: number): Promise<WebhookRequest> {
  const index = pending.findIndex(matches);
  if (index !== -1) return Promise.resolve(pending.splice(index, 1)[0] as WebhookRequest);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters.splice(waiters.indexOf(waiter), 1);
      reject(new Error(`webhook: no matching request within ${timeoutMs} ms`));
    }, timeoutMs);
    const waiter: Waiter = {
      matches,
      resolve: (r) => {
        clearTimeout(timer);
        resolve(r);
      },
    };
    waiters.push(waiter);
  });
}

/** Requests for the stanza with this id. */
export const forStanza =
  (id: string): RequestPredicate =>
  (req) =>
    String(req.json.stanza).includes(`id="${id}"`);

function tryJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export const json = (body: unknown, status = 200) => Response.json(body, { status });

/** A promise the test resolves later: a webhook that answers only when told. */
export function gate(): { wait: Promise<void>; open(): void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/**
 * The parts of a received stanza a test compares: name, attributes, children as XML. The stream
 * namespace and the xml:lang Prosody stamps on stanzas from a component stream are left out.
 */
export function shape(stanza: Element): { name: string; attrs: Record<string, string | undefined>; children: string[] } {
  const { xmlns: _xmlns, "xml:lang": _lang, ...attrs } = stanza.attrs;
  return { name: stanza.name, attrs, children: stanza.getChildElements().map((c) => c.toString()) };
}

/** The <error/> of an error stanza as type, condition and text. */
export function errorOf(stanza: Element): { type: string | undefined; condition: string | undefined; text: string | undefined } {
  const error = stanza.getChild("error");
  const NS = "urn:ietf:params:xml:ns:xmpp-stanzas";
  const condition = error?.getChildElements().find((c) => c.attrs.xmlns === NS && c.name !== "text")?.name;
  return { type: error?.attrs.type, condition, text: error?.getChildText("text", NS) ?? undefined };
}
