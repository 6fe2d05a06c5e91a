// A subscriber that never reads: a separate process (python3's socket, with a 4 KB receive buffer
// set before connecting, so the kernel cannot hide the stall behind megabytes of buffering) sends
// one GET and reads nothing until told to; then it reads to the end and hands back the body.
const SCRIPT = `
import socket, sys
host, port, request = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect((host, port))
s.sendall(request.encode("latin-1"))
print("sent", flush=True)
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
  const proc = Bun.spawn(["python3", "-c", SCRIPT, hostname, port, request], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  const stdout = proc.stdout.getReader();
  const first = await stdout.read();
  if (new TextDecoder().decode(first.value) !== "sent\n")
    throw new Error(`the stalled subscriber did not connect: ${await new Response(proc.stderr).text()}`);
  return {
    async close() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
    async readToEnd() {
      proc.stdin.write("read\n");
      await proc.stdin.end();
      const parts: Uint8Array[] = [];
      for (let part = await stdout.read(); !part.done; part = await stdout.read()) parts.push(part.value);
      await proc.exited;
      return Buffer.concat(parts);
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
