// A subscriber that never reads: a separate process (python3's socket, with a 4 KB receive buffer
// set before connecting; the sending side's kernel still holds ~2.8 MB on loopback) sends one GET
// and reads nothing until told to; then it reads to the end and hands back the response.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "./timeouts.ts";

const SCRIPT = `
import socket, sys
host, port, request, marker = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect((host, port))
s.sendall(request.encode("latin-1"))
open(marker, "w").close()
sys.stdin.readline()
s.settimeout(60)
data = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except (ConnectionResetError, socket.timeout) as e:
    sys.stderr.write(type(e).__name__)
sys.stdout.buffer.write(data)
`;

export interface StalledSubscriber {
  /** Starts reading; resolves with the raw response (status line, headers, body) once the gateway closed it. */
  readToEnd(): Promise<Buffer>;
  /** Ends it without reading (its process is killed). */
  close(): Promise<void>;
}

export async function stalledSubscriber(base: string, path: string, headers: Record<string, string>): Promise<StalledSubscriber> {
  const { hostname, port } = new URL(base);
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  const request = `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n${head.join("")}\r\n`;
  // The request is sent once the marker file exists: a file, because a first read of the child's
  // stdout was seen never to resolve in a process that had run other children (Bun 1.4.5).
  const marker = join(mkdtempSync(join(tmpdir(), "sg-stalled-")), "sent");
  const proc = Bun.spawn(["python3", "-c", SCRIPT, hostname, port, request, marker], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  await waitFor(
    () => {
      if (proc.exitCode !== null) throw new Error(`the stalled subscriber exited with ${proc.exitCode}`);
      return existsSync(marker);
    },
    15_000,
    "the stalled subscriber to send its request",
  );
  return {
    async close() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
    async readToEnd() {
      proc.stdin.write("read\n");
      await proc.stdin.end();
      const [body] = await Promise.all([new Response(proc.stdout).arrayBuffer(), proc.exited]);
      return Buffer.from(body);
    },
  };
}

/** The body of a raw HTTP/1.1 response, chunked transfer coding undone (RFC 9112 §7.1); a cut-off end is dropped. */
export function responseBody(raw: Buffer): string {
  const split = raw.indexOf("\r\n\r\n");
  if (split < 0) return "";
  const head = raw.subarray(0, split).toString("latin1").toLowerCase();
  if (!head.includes("transfer-encoding: chunked")) return raw.subarray(split + 4).toString("utf8");
  const parts: Buffer[] = [];
  for (let at = split + 4; ; ) {
    const eol = raw.indexOf("\r\n", at);
    const size = eol < 0 ? Number.NaN : Number.parseInt(raw.subarray(at, eol).toString("latin1"), 16);
    if (!(size > 0) || eol + 2 + size > raw.length) return Buffer.concat(parts).toString("utf8");
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}
