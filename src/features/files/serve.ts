/**
 * GET and HEAD `<path>/<id>/<name>`: a stored file as a client fetches it. What the headers are for:
 * - `X-Content-Type-Options: nosniff` and a sandboxing CSP: the browser takes the sniffed type as
 *   it is and runs nothing of the file, even opened directly;
 * - `Content-Disposition` (RFC 6266): `inline` only for what a browser shows without running it
 *   (images but SVG, audio, video, PDF), `attachment` for everything else (an HTML upload downloads);
 * - `ETag` (the SHA-256: the bytes never change under an id) and If-None-Match (RFC 9110 §13.1.2);
 * - `Range` (RFC 9110 §14): one range, as players seek in audio and video; several are answered whole;
 * - `Cache-Control`: cacheable until the file expires, and `immutable` (RFC 8246).
 * An unknown or expired id is 404 with the catalogue's body and nothing else.
 */
import { GatewayError, errorResponse } from "../../plugin-api/errors.ts";
import type { HttpHandler, HttpRequest } from "../../plugin-api/index.ts";
import { shownInline } from "../../files/sniff.ts";
import type { BlobStore } from "../../files/blob-store.ts";
import { type Logger, silentLogger } from "../../log.ts";
import type { FileRow, FileStore } from "../../files/store.ts";
import { storeUnavailable } from "../../store/unavailable.ts";

/**
 * A store that cannot be read (a PostgreSQL store unreachable) is 503 STORE_UNAVAILABLE, as a
 * write is (files/service.ts): the client may try again; why goes to the log.
 */
export function serveFile(store: FileStore<BlobStore>, log: Logger = silentLogger): HttpHandler {
  const served = fileAnswer(store);
  return (context) =>
    served(context).catch((err: unknown) => {
      log.warn("a file could not be read from the store", { err: err instanceof Error ? err.message : String(err) });
      return errorResponse(storeUnavailable(undefined, "The file could not be read from the store"));
    });
}

function fileAnswer(store: FileStore<BlobStore>) {
  return async ({ request, params }: HttpRequest): Promise<Response> => {
    const row = /^[0-9a-f]{32}$/.test(params.id ?? "") ? await store.find(params.id as string) : undefined;
    if (!row) return errorResponse(new GatewayError("NOT_FOUND"));
    const headers = fileHeaders(row, store.now());
    if (matches(request.headers.get("if-none-match"), `"${row.sha256}"`)) return new Response(null, { status: 304, headers });
    const range = rangeOf(request, row);
    if (range === "unsatisfiable") {
      return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${row.size}` } });
    }
    const status = range ? 206 : 200;
    const { start, end } = range ?? { start: 0, end: row.size - 1 };
    if (range) headers["content-range"] = `bytes ${start}-${end}/${row.size}`;
    // Given, not counted: a body streamed from the store has no length of its own to send.
    headers["content-length"] = String(end - start + 1);
    // HEAD gets the same answer: the router counts the body for its length and sends none (RFC 9110 §9.3.2).
    const body = await store.blobs.read(row.sha256, range);
    return body ? new Response(body, { status, headers }) : errorResponse(new GatewayError("NOT_FOUND"));
  };
}

function fileHeaders(row: FileRow, now: number): Record<string, string> {
  const maxAge = Math.max(0, Math.floor((row.expires_at - now) / 1000));
  return {
    "content-type": row.type,
    "content-disposition": `${shownInline(row.type) ? "inline" : "attachment"}; ${dispositionName(row.name)}`,
    "x-content-type-options": "nosniff",
    // Chromium will not show a PDF under `sandbox` (its viewer is a plugin): a PDF runs nothing of its own there anyway.
    "content-security-policy":
      row.type === "application/pdf" ? "default-src 'none'" : "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    etag: `"${row.sha256}"`,
    "cache-control": `public, max-age=${maxAge}, immutable`,
    "accept-ranges": "bytes",
  };
}

/** RFC 6266 §4.3: an ASCII `filename` for old clients, and the real one as RFC 8187 `filename*`. */
function dispositionName(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** RFC 9110 §13.1.2: weak comparison, `*` or any listed tag. */
function matches(header: string | null, etag: string): boolean {
  if (header === null) return false;
  return header.trim() === "*" || header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

/**
 * One byte range (RFC 9110 §14.1.2: `a-b`, `a-`, `-n`), undefined to answer the whole file (no
 * Range, several ranges, an invalid one, a stale If-Range, a unit other than bytes), or
 * "unsatisfiable" (416).
 */
function rangeOf(request: Request, row: FileRow): { start: number; end: number } | "unsatisfiable" | undefined {
  const header = request.headers.get("range");
  const ifRange = request.headers.get("if-range");
  if (!header || (ifRange !== null && ifRange.trim() !== `"${row.sha256}"`)) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  const last = row.size - 1;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    return suffix === 0 || row.size === 0 ? "unsatisfiable" : { start: Math.max(0, row.size - suffix), end: last };
  }
  const start = Number(m[1]);
  // §14.1.1: a last-pos before the first-pos makes the range invalid, and an invalid Range is ignored (§14.2).
  if (m[2] !== "" && Number(m[2]) < start) return undefined;
  if (start > last) return "unsatisfiable";
  return { start, end: m[2] === "" ? last : Math.min(Number(m[2]), last) };
}
