/**
 * Fetching a remote file (`Attach:`, `image_url`, `bigImageUrl`) into an IncomingFile, guarded
 * against server-side request forgery (issue 21 §5):
 * - only http and https;
 * - the host is resolved once, every address it resolves to is judged (address-guard.ts), and the
 *   connection goes to the judged address itself: the URL's host is replaced by the IP, the name
 *   travels in `Host` (RFC 9110 §7.2) and in TLS SNI, against which the certificate is verified.
 *   A second lookup by the HTTP client could get another answer (DNS rebinding); there is none;
 * - redirects are followed here, each target judged again, at most MAX_REDIRECTS;
 * - the body is cut while it streams at `max_bytes`, the whole fetch at `timeout_s`;
 * - no proxy from the environment (it would resolve the name itself) and no pooled connection
 *   (a connection opened for one name must not carry another's request).
 */
import { lookup } from "node:dns/promises";
import { GatewayError } from "../plugin-api/errors.ts";
import { AddressGuard } from "./address-guard.ts";
import { formatIp, type IpBytes, parseIp } from "./ip-address.ts";
import { boundedBody, Deadline, tooLarge } from "./remote-body.ts";
import type { IncomingFile } from "./types.ts";

/** A DNS lookup: every address of a name, as text. Tests inject one (rebinding, private answers). */
export type Resolver = (hostname: string) => Promise<readonly string[]>;

export interface RemoteFetchOptions {
  /** `attachments.remote.allow`: CIDRs fetched from although a rule of address-guard.ts refuses them. */
  allow: readonly string[];
  /** `attachments.remote.max_bytes`. */
  maxBytes: number;
  /** `attachments.remote.timeout_s`, in milliseconds: DNS, redirects and the whole body. */
  timeoutMs: number;
  /** The system's resolver (getaddrinfo: /etc/hosts, then DNS) unless given. */
  resolve?: Resolver | undefined;
  /** A CA certificate (PEM) trusted besides the system's: a private CA, or a test's own. */
  ca?: string | undefined;
}

/** RFC 9110 §15.4: the redirects that carry a Location to follow. 300 and 304 are answers. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** As many as a browser shows patience for, far fewer than an attacker would like to chain. */
const MAX_REDIRECTS = 5;

const systemResolver: Resolver = async (hostname) => (await lookup(hostname, { all: true })).map((a) => a.address);

/** A URL's origin for the sentences: the path and query may carry a token, the origin does not. */
const originOf = (url: URL): string => `${url.protocol}//${url.host}`;

/** REMOTE_REFUSED naming the URL refused and, for a redirect target, the URL that sent there. */
const refused = (url: URL, why: string, from?: URL): GatewayError => {
  const redirected = from ? ` (a redirect from ${originOf(from)})` : "";
  return new GatewayError("REMOTE_REFUSED", `The gateway does not fetch ${originOf(url)}${redirected}: ${why}`);
};

/** Fetches a remote URL as a file, or throws REMOTE_REFUSED (400), REMOTE_FAILED (502) or FILE_TOO_LARGE (413). */
export function createRemoteFetcher(options: RemoteFetchOptions): (url: string, name?: string) => Promise<IncomingFile> {
  const guard = new AddressGuard(options.allow);
  const resolve = options.resolve ?? systemResolver;
  const session = new Bun.FetchSession({ keepAlive: false, proxy: false });

  /** The addresses to connect to, every one judged; a literal IP is not looked up. */
  async function addresses(url: URL, from: URL | undefined, deadline: Deadline): Promise<IpBytes[]> {
    const literal = parseIp(url.hostname);
    const answers = literal ? [literal] : await resolveName(url, deadline);
    for (const address of answers) {
      const what = guard.refusal(address);
      if (what === undefined) continue;
      const which = literal ? `${formatIp(address)} is ${what}` : `${url.hostname} resolves to ${formatIp(address)}, ${what}`;
      throw refused(url, `${which}, which attachments.remote.allow does not list`, from);
    }
    return answers;
  }

  async function resolveName(url: URL, deadline: Deadline): Promise<IpBytes[]> {
    const texts = await Promise.race([resolve(url.hostname), aborted(deadline.signal)]).catch((err: unknown) => {
      if (deadline.passed) throw deadline.failure(originOf(url), "resolve");
      throw new GatewayError("REMOTE_FAILED", `${url.hostname} does not resolve: ${messageOf(err)}`);
    });
    const answers = texts.flatMap((text) => parseIp(text) ?? []);
    if (answers.length === 0) throw new GatewayError("REMOTE_FAILED", `${url.hostname} does not resolve to any address`);
    return answers;
  }

  /** One request to the judged address; the next address of the name when one cannot be reached. */
  async function request(url: URL, from: URL | undefined, deadline: Deadline): Promise<Response> {
    if (url.protocol !== "http:" && url.protocol !== "https:") throw refused(url, "only http and https URLs are fetched", from);
    let failure: unknown;
    for (const address of await addresses(url, from, deadline)) {
      const target = new URL(url);
      target.hostname = address.length === 16 ? `[${formatIp(address)}]` : formatIp(address);
      const tls = { ...(parseIp(url.hostname) ? {} : { serverName: url.hostname }), ...(options.ca ? { ca: options.ca } : {}) };
      try {
        return await session.fetch(target, { headers: { host: url.host }, redirect: "manual", signal: deadline.signal, tls });
      } catch (err) {
        if (deadline.passed) throw deadline.failure(originOf(url), "answer");
        failure = err;
      }
    }
    throw new GatewayError("REMOTE_FAILED", `${originOf(url)} could not be reached: ${messageOf(failure)}`);
  }

  /** Follows redirects by hand, judging each target as the first URL. */
  async function follow(first: URL, deadline: Deadline): Promise<{ url: URL; response: Response }> {
    let url = first;
    let from: URL | undefined;
    for (let hop = 0; ; hop++) {
      const response = await request(url, from, deadline);
      const location = response.headers.get("location");
      if (!REDIRECTS.has(response.status) || location === null) return { url, response };
      void response.body?.cancel().catch(() => {});
      if (hop === MAX_REDIRECTS) throw new GatewayError("REMOTE_FAILED", `${originOf(first)} redirected more than ${MAX_REDIRECTS} times`);
      from = url;
      url = parseUrl(location, url);
    }
  }

  return async (text, name) => {
    const deadline = new Deadline(options.timeoutMs);
    try {
      const { url, response } = await follow(parseUrl(text), deadline);
      return answerToFile(url, response, name, options.maxBytes, deadline);
    } catch (err) {
      deadline.end();
      throw err;
    }
  };
}

/** `attachments.remote` as the files service takes it (FilesDeps.fetchRemote); undefined while `fetch` is off. */
export function remoteFetcher(remote: {
  fetch: boolean;
  allow: readonly string[];
  max_bytes: number;
  timeout_s: number;
}): ((url: string, sender: string, name?: string) => Promise<IncomingFile>) | undefined {
  if (!remote.fetch) return undefined;
  const fetchFile = createRemoteFetcher({ allow: remote.allow, maxBytes: remote.max_bytes, timeoutMs: remote.timeout_s * 1000 });
  return (url, _sender, name) => fetchFile(url, name);
}

/** The final answer as a file: a 2xx whose declared size fits, its body bounded. */
function answerToFile(url: URL, response: Response, name: string | undefined, maxBytes: number, deadline: Deadline): IncomingFile {
  const origin = originOf(url);
  if (!response.ok) {
    void response.body?.cancel().catch(() => {});
    throw new GatewayError("REMOTE_FAILED", `${origin} answered HTTP ${response.status} instead of a file`);
  }
  // fetch decompresses a Content-Encoding, so only an identity body's length is its size.
  const length = response.headers.has("content-encoding") ? Number.NaN : Number(response.headers.get("content-length") ?? Number.NaN);
  const declaredSize = Number.isSafeInteger(length) ? length : undefined;
  if (declaredSize !== undefined && declaredSize > maxBytes) {
    void response.body?.cancel().catch(() => {});
    throw tooLarge(origin, maxBytes, `it declared ${declaredSize} bytes`);
  }
  return { body: boundedBody(response.body, origin, maxBytes, deadline), name: name ?? lastSegment(url), declaredSize };
}

/** The URL as the WHATWG parser reads it (`http://2130706433/` is 127.0.0.1), or REMOTE_REFUSED. */
function parseUrl(text: string, base?: URL): URL {
  try {
    return new URL(text, base);
  } catch {
    throw new GatewayError("REMOTE_REFUSED", `The gateway does not fetch "${text.slice(0, 200)}": it is not a URL`);
  }
}

/** The file's name when the sender gave none: the URL's last path segment (the store sanitises it). */
function lastSegment(url: URL): string | undefined {
  const segment = url.pathname.split("/").pop() ?? "";
  try {
    return decodeURIComponent(segment) || undefined;
  } catch {
    return segment || undefined;
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** Why a request failed, by its code where it has one: Bun's messages quote the whole URL, token and all. */
function messageOf(err: unknown): string {
  if (err instanceof Error) return "code" in err && typeof err.code === "string" ? err.code : err.message;
  return String(err);
}
