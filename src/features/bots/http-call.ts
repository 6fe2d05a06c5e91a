/**
 * A command's HTTP call: bounded in time (the whole call, body included) and in size (the answer
 * is read up to max_answer_bytes, never buffered whole), no redirects (a call goes only where
 * routes.yaml says). The answer is what `reply:` reads: http.status, http.text, http.json. A
 * command with `attach: true` takes the answer as a file instead (callHttpFile): streamed into
 * the file store, bounded by it, and attached to the reply.
 */
import { readBoundedText } from "../../kit/bounded.ts";
import type { BotHttpOutcome } from "../../metrics.ts";
import { GatewayError } from "../../plugin-api/errors.ts";
import type { IncomingFile, StoredFile } from "../../files/types.ts";

export interface HttpAnswer {
  status: number;
  text: string;
  /** The parsed body when it is JSON (by content-type or by shape), else undefined. */
  json: unknown;
}

export interface HttpRequestSpec {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  timeoutMs: number;
  maxBytes: number;
}

/** A failed call: `message` is the sentence a sender reads; `answer` is set when one came (non-2xx). */
export class HttpCallError extends Error {
  constructor(
    message: string,
    readonly answer?: HttpAnswer,
    readonly outcome: BotHttpOutcome = "unreachable",
  ) {
    super(message);
  }
}

/** Told how each call ended and how long it took (metrics.ts, stanzagate_bot_http_call*). */
export type HttpObserver = (outcome: BotHttpOutcome, seconds: number) => void;

export async function callHttp(fetcher: typeof fetch, spec: HttpRequestSpec, observe: HttpObserver = () => {}): Promise<HttpAnswer> {
  return timed(observe, () => call(fetcher, spec, (response) => textAnswer(response, spec.maxBytes)));
}

/** The call of an `attach: true` command: a 2xx answer's body goes to `keep` (the file store) as it streams. */
export async function callHttpFile(
  fetcher: typeof fetch,
  spec: HttpRequestSpec,
  keep: (file: IncomingFile) => Promise<StoredFile>,
  observe: HttpObserver = () => {},
): Promise<{ answer: HttpAnswer; file: StoredFile }> {
  return timed(observe, () =>
    call(fetcher, spec, async (response) => {
      const declared = Number(response.headers.get("content-length") ?? Number.NaN);
      const body = response.body ?? new Blob([]).stream();
      const file = await keep({
        body,
        name: fileName(response, spec.url),
        declaredSize: Number.isSafeInteger(declared) ? declared : undefined,
      });
      return { answer: { status: response.status, text: "", json: undefined }, file };
    }),
  );
}

async function timed<T>(observe: HttpObserver, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const result = await run();
    observe("ok", seconds());
    return result;
  } catch (err) {
    observe(err instanceof HttpCallError ? err.outcome : "unreachable", seconds());
    throw err;
  }
}

async function call<T>(fetcher: typeof fetch, spec: HttpRequestSpec, take: (response: Response) => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(spec.timeoutMs);
  try {
    const response = await fetcher(spec.url, { method: spec.method, headers: spec.headers, body: spec.body, redirect: "manual", signal });
    if (response.status < 200 || response.status > 299)
      throw new HttpCallError(`the service answered HTTP ${response.status}`, await textAnswer(response, spec.maxBytes), "status");
    return await take(response);
  } catch (err) {
    if (err instanceof HttpCallError) throw err;
    if (signal.aborted) throw new HttpCallError(`the service did not answer within ${spec.timeoutMs} ms`, undefined, "timeout");
    // The file store's refusal (FILE_TOO_LARGE, FILES_QUOTA...): the sentence says which limit.
    if (err instanceof GatewayError)
      throw new HttpCallError(
        `the file could not be kept (${err.message})`,
        undefined,
        err.code === "FILE_TOO_LARGE" ? "too_large" : "status",
      );
    throw new HttpCallError(`the service cannot be reached (${err instanceof Error ? err.message : String(err)})`);
  }
}

async function textAnswer(response: Response, maxBytes: number): Promise<HttpAnswer> {
  const text = await readBounded(response, maxBytes);
  return { status: response.status, text, json: parseJson(text, response.headers.get("content-type")) };
}

/** RFC 6266 §4.1's filename, else the URL's last path segment: what the chat shows the file as (the store sanitises it). */
function fileName(response: Response, url: string): string | undefined {
  const disposition = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(response.headers.get("content-disposition") ?? "");
  const named = disposition?.[1] ?? disposition?.[2];
  if (named) return named;
  const last = new URL(url).pathname.split("/").filter(Boolean).at(-1);
  try {
    return last ? decodeURIComponent(last) : undefined;
  } catch {
    return last;
  }
}

/** Reads at most `maxBytes`, then stops the download: a 10 MB answer costs 1 MB of memory at most. */
async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const text = await readBoundedText(response, maxBytes);
  if (text === undefined)
    throw new HttpCallError(`the service's answer is too large (more than ${maxBytes} bytes)`, undefined, "too_large");
  return text;
}

function parseJson(text: string, contentType: string | null): unknown {
  const looksJson = /\bjson\b/i.test(contentType ?? "") || /^\s*[[{]/.test(text);
  if (!looksJson) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
