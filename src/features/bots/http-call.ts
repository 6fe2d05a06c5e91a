/**
 * A command's HTTP call: bounded in time (the whole call, body included) and in size (the answer
 * is read up to max_answer_bytes, never buffered whole), no redirects (a call goes only where
 * routes.yaml says). The answer is what `reply:` reads: http.status, http.text, http.json.
 */
import { readBoundedText } from "../../kit/bounded.ts";
import type { BotHttpOutcome } from "../../metrics.ts";

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
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const answer = await call(fetcher, spec);
    observe("ok", seconds());
    return answer;
  } catch (err) {
    observe(err instanceof HttpCallError ? err.outcome : "unreachable", seconds());
    throw err;
  }
}

async function call(fetcher: typeof fetch, spec: HttpRequestSpec): Promise<HttpAnswer> {
  const signal = AbortSignal.timeout(spec.timeoutMs);
  try {
    const response = await fetcher(spec.url, { method: spec.method, headers: spec.headers, body: spec.body, redirect: "manual", signal });
    const text = await readBounded(response, spec.maxBytes);
    const answer = { status: response.status, text, json: parseJson(text, response.headers.get("content-type")) };
    if (response.status < 200 || response.status > 299)
      throw new HttpCallError(`the service answered HTTP ${response.status}`, answer, "status");
    return answer;
  } catch (err) {
    if (err instanceof HttpCallError) throw err;
    if (signal.aborted) throw new HttpCallError(`the service did not answer within ${spec.timeoutMs} ms`, undefined, "timeout");
    throw new HttpCallError(`the service cannot be reached (${err instanceof Error ? err.message : String(err)})`);
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
