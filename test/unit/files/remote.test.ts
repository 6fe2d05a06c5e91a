// Fetching a remote file (issue 21 §5), against HTTP servers this file starts on loopback: a
// fetch reaches them only because each test's `allow` opens 127.0.0.1 on purpose. The name is
// resolved once and the connection goes to the address that was judged (DNS rebinding), every
// redirect is judged again, and the body is cut by size and by time while it streams.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import type { Server } from "bun";
import { createRemoteFetcher, type RemoteFetchOptions, remoteFetcher, type Resolver } from "../../../src/files/remote.ts";
import type { IncomingFile } from "../../../src/files/types.ts";
import { GatewayError } from "../../../src/plugin-api/errors.ts";
import { makeTestCa } from "../../helpers/test-ca.ts";

const LOOPBACK = ["127.0.0.1/32"];
/** A bound for the tests that must finish, sized for a busy shared machine; never a measure. */
const AMPLE_MS = 15_000;
const servers: Server<unknown>[] = [];
afterAll(() => {
  for (const server of servers) server.stop(true);
});

/** Serves `handler` on 127.0.0.1 (or the address given), counting the requests it gets. */
function serve(handler: (req: Request) => Response | Promise<Response>, hostname = "127.0.0.1", port = 0) {
  const seen: Request[] = [];
  const server = Bun.serve({ hostname, port, fetch: (req) => (seen.push(req), handler(req)) });
  servers.push(server);
  return { server, seen, origin: `http://${hostname}:${server.port}` };
}

const fetcher = (options: Partial<RemoteFetchOptions> = {}) =>
  createRemoteFetcher({ allow: LOOPBACK, maxBytes: 1 << 20, timeoutMs: AMPLE_MS, ...options });

/** A resolver that answers from a table, as DNS would, counting its calls. */
function resolverOf(table: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  return Object.assign(async (name: string) => (calls.push(name), table[name] ?? []), { calls });
}

/** Reads a fetched body to its end: the bytes, or the error that cut it and how much came before. */
async function drain(file: IncomingFile): Promise<{ bytes: Uint8Array; error?: unknown }> {
  const chunks: Uint8Array[] = [];
  const reader = file.body.getReader();
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
    return { bytes: Buffer.concat(chunks) };
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error };
  }
}

/** The GatewayError a promise rejects with (fails the test when it resolves or throws anything else). */
async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return error;
}

const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");

describe("fetching", () => {
  test("a file on an allowed address streams through, named after the URL's last segment", async () => {
    const camera = serve(() => new Response(PNG, { headers: { "content-type": "image/png" } }));
    const file = await fetcher()(`${camera.origin}/snapshots/door%20cam.png?token=x`);
    expect(file.name).toBe("door cam.png");
    expect(file.declaredSize).toBe(PNG.byteLength);
    expect((await drain(file)).bytes).toEqual(new Uint8Array(PNG));
  });

  test("the sender's name wins over the URL's", async () => {
    const camera = serve(() => new Response(PNG));
    const file = await fetcher()(`${camera.origin}/x.bin`, "door.png");
    expect(file.name).toBe("door.png");
    await drain(file);
  });

  test("a server that cannot be reached is REMOTE_FAILED, naming the origin and the cause", async () => {
    const closed = serve(() => new Response());
    closed.server.stop(true);
    const error = await refusal(fetcher()(`${closed.origin}/x.png?token=s3cret`));
    expect([error.code, error.message]).toEqual(["REMOTE_FAILED", `${closed.origin} could not be reached: ECONNREFUSED`]);
  });

  test("an answer other than 2xx is REMOTE_FAILED, saying the status", async () => {
    const gone = serve(() => new Response("no", { status: 404 }));
    const error = await refusal(fetcher()(`${gone.origin}/x.png`));
    expect([error.code, error.status, error.message]).toEqual(["REMOTE_FAILED", 502, `${gone.origin} answered HTTP 404 instead of a file`]);
  });

  test("a name that does not resolve is REMOTE_FAILED", async () => {
    const error = await refusal(fetcher({ resolve: resolverOf({}) })("http://nowhere.example.test/x.png"));
    expect([error.code, error.message]).toEqual(["REMOTE_FAILED", "nowhere.example.test does not resolve to any address"]);
  });

  test("attachments.remote with fetch off gives no fetcher: the URL stays a link", () => {
    expect(remoteFetcher({ fetch: false, allow: [], max_bytes: 1, timeout_s: 1 })).toBeUndefined();
    expect(remoteFetcher({ fetch: true, allow: [], max_bytes: 1, timeout_s: 1 })).toBeFunction();
  });
});

describe("refused before any connection", () => {
  test("loopback without an allow entry", async () => {
    const admin = serve(() => new Response("secret"));
    const error = await refusal(fetcher({ allow: [] })(`${admin.origin}/admin`));
    expect([error.code, error.status]).toEqual(["REMOTE_REFUSED", 400]);
    expect(error.message).toBe(
      `The gateway does not fetch ${admin.origin}: 127.0.0.1 is a loopback address (RFC 1122 §3.2.1.3), which attachments.remote.allow does not list`,
    );
    expect(admin.seen).toHaveLength(0);
  });

  test("an address the URL parser normalises (decimal, IPv4-mapped IPv6) is judged as what it is", async () => {
    const fetch = fetcher({ allow: [] });
    expect((await refusal(fetch("http://2130706433:1/"))).message).toContain("127.0.0.1 is a loopback address");
    expect((await refusal(fetch("http://[::ffff:169.254.169.254]/latest/meta-data/"))).message).toContain(
      "::ffff:a9fe:a9fe is an IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2) carrying 169.254.169.254, a link-local address",
    );
  });

  test("a name resolving to a private address, through the system's resolver and an injected one", async () => {
    expect((await refusal(fetcher({ allow: [] })("http://localhost:1/x"))).message).toMatch(
      /localhost resolves to (127\.0\.0\.1|::1), .*loopback/,
    );
    const dns = resolverOf({ "nas.example.test": ["203.0.113.9", "192.168.1.10"] });
    const error = await refusal(fetcher({ resolve: dns })("https://nas.example.test/photo.jpg"));
    expect(error.message).toBe(
      "The gateway does not fetch https://nas.example.test: nas.example.test resolves to 192.168.1.10, a private address (RFC 1918), which attachments.remote.allow does not list",
    );
  });

  test("schemes other than http and https", async () => {
    for (const url of ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1:6379/_INFO"]) {
      const error = await refusal(fetcher()(url));
      expect([error.code, error.message.endsWith(": only http and https URLs are fetched")]).toEqual(["REMOTE_REFUSED", true]);
    }
    expect((await refusal(fetcher()("not a url"))).message).toBe('The gateway does not fetch "not a url": it is not a URL');
  });
});

describe("redirects", () => {
  test("are followed, relative ones too, up to 5", async () => {
    const chain = serve((req) => {
      const left = Number(new URL(req.url).pathname.split("/")[2]);
      return left > 0 ? new Response(null, { status: 302, headers: { location: `/hop/${left - 1}` } }) : new Response(PNG);
    });
    const file = await fetcher()(`${chain.origin}/hop/5`);
    expect((await drain(file)).bytes).toEqual(new Uint8Array(PNG));
    expect(chain.seen).toHaveLength(6);
    const error = await refusal(fetcher()(`${chain.origin}/hop/6`));
    expect([error.code, error.message]).toEqual(["REMOTE_FAILED", `${chain.origin} redirected more than 5 times`]);
  });

  test("to a private address are refused, naming the redirecting origin", async () => {
    const inner = serve(() => new Response("router admin page"), "127.0.0.2");
    const outer = serve(() => new Response(null, { status: 307, headers: { location: `${inner.origin}/admin` } }));
    const error = await refusal(fetcher()(`${outer.origin}/pic.png`));
    expect([error.code, error.message]).toEqual([
      "REMOTE_REFUSED",
      `The gateway does not fetch ${inner.origin} (a redirect from ${outer.origin}): 127.0.0.2 is a loopback address (RFC 1122 §3.2.1.3), which attachments.remote.allow does not list`,
    ]);
    expect(inner.seen).toHaveLength(0);
  });

  test("to a name resolving to a private address are refused after resolution", async () => {
    const dns = resolverOf({ "metadata.example.test": ["169.254.169.254"] });
    const outer = serve(() => new Response(null, { status: 301, headers: { location: "http://metadata.example.test/latest/" } }));
    const error = await refusal(fetcher({ resolve: dns })(`${outer.origin}/pic.png`));
    expect(error.message).toContain("metadata.example.test resolves to 169.254.169.254, a link-local address");
    expect(dns.calls).toEqual(["metadata.example.test"]);
  });
});

describe("DNS rebinding", () => {
  test("the connection goes to the address that was judged: the name is looked up once", async () => {
    // The name answers 127.0.0.1 (allowed) first and 127.0.0.2 (refused) after: a client that
    // looked it up again to connect would reach the second server.
    const judged = serve((req) => new Response(`judged, Host: ${req.headers.get("host")}`));
    const forbidden = serve(() => new Response("forbidden"), "127.0.0.2", judged.server.port);
    let answers = 0;
    const calls: string[] = [];
    const rebinding: Resolver = async (name) => (calls.push(name), answers++ === 0 ? ["127.0.0.1"] : ["127.0.0.2"]);
    const file = await fetcher({ resolve: rebinding })(`http://rebind.example.test:${judged.server.port}/pic.png`);
    expect(Buffer.from((await drain(file)).bytes).toString()).toBe(`judged, Host: rebind.example.test:${judged.server.port}`);
    expect(calls).toEqual(["rebind.example.test"]);
    expect(forbidden.seen).toHaveLength(0);
  });

  test("over https the name goes in SNI and the certificate is verified against it, while connecting to the judged IP", async () => {
    const ca = makeTestCa("remote");
    const issued = ca.issue(["files.example.test"]);
    const names: unknown[] = [];
    const server = createTlsServer({ cert: readFileSync(issued.cert), key: readFileSync(issued.key) }, (socket) => {
      names.push(socket.servername);
      socket.end("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
    });
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
    afterAll(() => void server.close());
    const port = (server.address() as AddressInfo).port;
    const dns = resolverOf({ "files.example.test": ["127.0.0.1"], "other.example.test": ["127.0.0.1"] });
    const trusted = fetcher({ resolve: dns, ca: readFileSync(ca.caFile, "utf8") });
    const file = await trusted(`https://files.example.test:${port}/chart.png`);
    expect(Buffer.from((await drain(file)).bytes).toString()).toBe("ok");
    expect(names).toEqual(["files.example.test"]);
    const error = await refusal(trusted(`https://other.example.test:${port}/chart.png`));
    expect([error.code, error.message]).toEqual([
      "REMOTE_FAILED",
      expect.stringContaining("could not be reached: ERR_TLS_CERT_ALTNAME_INVALID"),
    ]);
  });
});

describe("bounds", () => {
  test("a declared size over max_bytes is refused before the body is read", async () => {
    const big = serve(() => new Response(new Uint8Array(4096)));
    const error = await refusal(fetcher({ maxBytes: 1000 })(`${big.origin}/big.bin`));
    expect([error.code, error.status, error.message]).toEqual([
      "FILE_TOO_LARGE",
      413,
      `The file at ${big.origin} is larger than attachments.remote.max_bytes (1000 bytes): it declared 4096 bytes`,
    ]);
  });

  test("an endless body with no declared size is cut while it streams, and the connection closed", async () => {
    const { promise: closed, resolve: onClosed } = Promise.withResolvers<void>();
    const chunk = new Uint8Array(16 * 1024);
    const endless = serve(() => new Response(new ReadableStream({ pull: (c) => c.enqueue(chunk), cancel: () => onClosed() })));
    const file = await fetcher({ maxBytes: 100_000 })(`${endless.origin}/zero`);
    expect(file.declaredSize).toBeUndefined();
    const { bytes, error } = await drain(file);
    expect(bytes.byteLength).toBeLessThanOrEqual(100_000);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).message).toBe(
      `The file at ${endless.origin} is larger than attachments.remote.max_bytes (100000 bytes): it sent more than 100000 bytes`,
    );
    await closed;
  });

  test("a server that trickles bytes forever is cut at timeout_s, however steadily it sends", async () => {
    const trickle = serve(() => {
      let timer: ReturnType<typeof setInterval> | undefined;
      const body = new ReadableStream<Uint8Array>({
        start: (c) => void (timer = setInterval(() => c.enqueue(new Uint8Array([0x2e])), 20)),
        cancel: () => clearInterval(timer),
      });
      return new Response(body);
    });
    const file = await fetcher({ timeoutMs: 500 })(`${trickle.origin}/slow`);
    const { error } = await drain(file);
    expect(error).toBeInstanceOf(GatewayError);
    expect([(error as GatewayError).code, (error as GatewayError).message]).toEqual([
      "REMOTE_FAILED",
      `${trickle.origin} did not send the whole file within 0.5 s (attachments.remote.timeout_s)`,
    ]);
  });

  test("a server that never answers is cut at timeout_s", async () => {
    const silent = serve(() => new Promise<Response>(() => {}));
    const error = await refusal(fetcher({ timeoutMs: 300 })(`${silent.origin}/never`));
    expect([error.code, error.message]).toEqual([
      "REMOTE_FAILED",
      `${silent.origin} did not answer within 0.3 s (attachments.remote.timeout_s)`,
    ]);
  });
});
