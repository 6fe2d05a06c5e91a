/**
 * `stanzagate render` for the routes that are not declarative: the formats (ntfy, Gotify, Slack,
 * Mattermost, Discord, Apprise, Teams) and the plugins. The request goes through a whole gateway
 * built from the configuration as `serve` builds it (front door, the route's own handler, its
 * auth, its error shapes), but never connected and with its store in a temporary directory: every
 * stanza the handler delivers waits in that outbox, as it would while the server is away, and is
 * read back from there. So no format's reading code is repeated for the preview, and a format
 * added later is previewed without a line here.
 *
 * Unlike a declarative route's render, auth is checked: a format's handler asks its own scheme
 * (Gotify's token, ntfy's access list), so the request carries the sender's credentials.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, type Element } from "ltx";
import { createGateway } from "../app.ts";
import type { CliOutput } from "../feature-api.ts";
import type { Config } from "../features/index.ts";
import { guessType, pretty, type RenderRequest } from "../features/routes/render-cli.ts";
import { createLogger } from "../log.ts";
import { openStore } from "../store/db.ts";
import { sqliteStore } from "../store/sqlite/index.ts";

/** Returns the exit code: 0 when the route's answer is a success, 1 for its error answer. */
export async function renderOffline(config: Config, req: RenderRequest, io: CliOutput): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "stanzagate-render-"));
  try {
    const store = join(dir, "render.db");
    const response = await answer({ ...config, store, bots: [] }, toRequest(req), io);
    const stanzas = await queued(store);
    for (const stanza of stanzas) print(stanza, req, io);
    if (!response.ok) io.err(`${response.status} ${response.text}`);
    else if (stanzas.length === 0) io.err(`${response.status}: nothing would be sent`);
    return response.ok ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The route's answer from a gateway that never connects; its bots are left out (nothing runs by itself). */
async function answer(config: Config, request: Request, io: CliOutput): Promise<{ ok: boolean; status: number; text: string }> {
  // A handler's own failure is logged, not answered in detail: say it where the user looks.
  const log = createLogger({ level: "error", format: "text", write: (line) => io.err(line.trimEnd()) });
  const gateway = await createGateway(config, { log });
  try {
    const response = await gateway.handle(request);
    return { ok: response.ok, status: response.status, text: await response.text() };
  } finally {
    await gateway.stop({ flushTimeoutMs: 0 });
  }
}

/** What the command line describes, as the HTTP request a sender would make; POST when it has a body, else GET. */
function toRequest(req: RenderRequest): Request {
  const url = new URL(req.route, "http://render.invalid");
  for (const [k, v] of req.query) url.searchParams.append(k, v);
  const method = (req.method ?? (req.body ? "POST" : "GET")).toUpperCase();
  const headers = new Headers(req.headers);
  if (req.body && !headers.has("content-type")) headers.set("content-type", guessType(req.body));
  const body = req.body && method !== "GET" && method !== "HEAD" ? req.body : undefined;
  return new Request(url.href, { method, headers, ...(body ? { body } : {}) });
}

/** The stanzas waiting in the outbox of the store file, in the order they were queued. */
async function queued(store: string): Promise<Element[]> {
  const db = sqliteStore(openStore(store));
  try {
    const rows = await db.outbox.peekAfter(0, Number.MAX_SAFE_INTEGER);
    return rows.map((row) => parse(row.stanza));
  } finally {
    await db.close();
  }
}

/**
 * The body as the client shows it, on stdout alone (so `2>/dev/null` leaves exactly it), its
 * recipient on stderr; with --xml, or for a stanza without a body (a retraction), the stanza.
 */
function print(stanza: Element, req: RenderRequest, io: CliOutput): void {
  const body = stanza.getChildText("body");
  if (req.xml || body === null) {
    io.out(req.pretty ? pretty(stanza) : stanza.toString());
    return;
  }
  // A file's message (XEP-0066): its body is the URL a client shows as the image or file itself.
  const oob = stanza.getChild("x", "jabber:x:oob");
  const desc = oob?.getChildText("desc");
  io.err(oob ? `to ${stanza.attrs.to}, a file${desc ? ` (${desc})` : ""}, shown by clients as the file itself:` : `to ${stanza.attrs.to}:`);
  io.out(body);
}
