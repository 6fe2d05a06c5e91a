// The client ends of ntfy's subscribe API (docs/subscribe/api.md of binwiederhier/ntfy v2.13): a
// line reader over any byte stream (curl -N's stdout, a fetch body), curl -N itself, and the event
// JSON every form carries, so tests read what a script would read.
import WebSocket from "ws";
import { withTimeout } from "../../testbed/timeouts.ts";

const LINE_TIMEOUT_MS = 15_000;
const EVENT_TIMEOUT_MS = 15_000;

/** ntfy's event JSON as subscribers see it (server/types.go `message`). */
export interface NtfyEvent {
  id: string;
  time: number;
  expires?: number;
  event: string;
  topic: string;
  message?: string;
  title?: string;
  priority?: number;
  tags?: string[];
  click?: string;
  sequence_id?: string;
  [key: string]: unknown;
}

/** Lines of a byte stream, each awaited with a bound; `ended` once the stream closes. */
export class LineReader {
  private buffer = "";
  private readonly lines: string[] = [];
  private waiter: (() => void) | undefined;
  ended = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    void this.pump(stream);
  }

  private async pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of stream) {
        this.buffer += decoder.decode(chunk, { stream: true });
        const parts = this.buffer.split("\n");
        this.buffer = parts.pop() ?? "";
        this.lines.push(...parts);
        this.wake();
      }
    } catch {
      // A stream the test cancels ends here: what was read stays readable.
    }
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    this.waiter?.();
    this.waiter = undefined;
  }

  /** The next line, or null when the stream ended before one came. */
  async next(timeoutMs = LINE_TIMEOUT_MS): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length === 0 && !this.ended) {
      const more = new Promise<void>((resolve) => (this.waiter = resolve));
      await withTimeout(more, deadline - Date.now(), () => {
        throw new Error(`no line within ${timeoutMs} ms (buffered: ${JSON.stringify(this.buffer.slice(0, 200))})`);
      });
    }
    return this.lines.shift() ?? null;
  }

  /** The next line that is not empty, parsed as ntfy's event JSON. */
  async nextEvent(timeoutMs = LINE_TIMEOUT_MS): Promise<NtfyEvent> {
    for (;;) {
      const line = await this.next(timeoutMs);
      if (line === null) throw new Error("the stream ended");
      if (line !== "") return JSON.parse(line) as NtfyEvent;
    }
  }

  /** The next event whose `event` is `kind`, skipping others (keepalives). */
  async nextOf(kind: string, timeoutMs = LINE_TIMEOUT_MS): Promise<NtfyEvent> {
    for (;;) {
      const event = await this.nextEvent(timeoutMs);
      if (event.event === kind) return event;
    }
  }

  /** Every remaining line, once the stream has ended (poll=1). */
  async rest(timeoutMs = LINE_TIMEOUT_MS): Promise<string[]> {
    const lines: string[] = [];
    for (let line = await this.next(timeoutMs); line !== null; line = await this.next(timeoutMs)) lines.push(line);
    return lines;
  }
}

export interface CurlStream extends LineReader {
  stop(): Promise<void>;
}

/** `curl -N -s` on a URL (no buffering: each line as the server flushes it), its stdout read by line. */
export function curlStream(url: string, headers: Record<string, string> = {}): CurlStream {
  const args = Object.entries(headers).flatMap(([name, value]) => ["-H", `${name}: ${value}`]);
  const proc = Bun.spawn(["curl", "-N", "-s", "--fail-with-body", ...args, url], { stdout: "pipe", stderr: "ignore" });
  const reader = new LineReader(proc.stdout) as CurlStream;
  reader.stop = async () => {
    proc.kill("SIGTERM");
    await proc.exited;
  };
  return reader;
}

/** A subscription over fetch, read by line; the response is kept for its status and headers. */
export async function fetchStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ res: Response; lines: LineReader; stop(): void }> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  if (!res.body) throw new Error(`${url}: no body (${res.status})`);
  return { res, lines: new LineReader(res.body), stop: () => controller.abort() };
}

/** ntfy's message ids: 12 random characters of [A-Za-z0-9] (server/types.go `messageIDLength`). */
export const NTFY_ID = /^[A-Za-z0-9]{12}$/;

/** A `ws` client's next text frames, parsed; pings counted. */
export function wsClient(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, { headers });
  const frames: NtfyEvent[] = [];
  let pings = 0;
  let waiter: (() => void) | undefined;
  socket.on("message", (data, isBinary) => {
    if (!isBinary) frames.push(JSON.parse(String(data)) as NtfyEvent);
    waiter?.();
  });
  socket.on("ping", () => {
    pings++;
    waiter?.();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on("close", (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const until = async <T>(value: () => T | undefined, what: string): Promise<T> => {
    for (;;) {
      const got = value();
      if (got !== undefined) return got;
      await withTimeout(new Promise<void>((r) => (waiter = r)), EVENT_TIMEOUT_MS, () => {
        throw new Error(`WebSocket: no ${what} within ${EVENT_TIMEOUT_MS} ms`);
      });
    }
  };
  return {
    socket,
    closed,
    opened: new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    }),
    next: (kind: string) =>
      until(() => {
        const i = frames.findIndex((f) => f.event === kind);
        return i < 0 ? undefined : frames.splice(i, 1)[0];
      }, `${kind} event`),
    ping: () => until(() => (pings > 0 ? pings : undefined), "ping"),
  };
}
