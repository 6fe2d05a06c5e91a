/**
 * `kind: xmpp`: HTTP Basic checked against the XMPP server's own accounts by a SASL login on the
 * client port (sasl-check.ts): users' XMPP passwords work, as with mod_post_msg inside the server.
 *
 * What keeps it cheap and predictable under load and outages:
 * - verdicts are remembered under a salted hash of user and password (never the password):
 *   a success for `cache_s`, a refusal for `failure_cache_s`;
 * - one login per credential in flight: concurrent requests with it wait for that login;
 * - at most `max_checks` logins at once, `max_queued_checks` waiting (src/kit/limiter.ts);
 * - each request runs under the failure throttle, which counts it while it runs (index.ts);
 * - when the server cannot answer, a password that logged in within `offline_grace_s` is still
 *   accepted (grace.ts), so that post_msg queues instead of answering 503.
 */
import { createHash, randomBytes } from "node:crypto";
import { GatewayError } from "../../../plugin-api/errors.ts";
import type { XmppAuth } from "./schema.ts";
import type { Logger } from "../../../log.ts";
import type { Identity } from "../../../auth/types.ts";
import { parseBasic } from "../../../auth/credentials.ts";
import { challenge } from "../../../kit/auth.ts";
import { createLimiter, LimiterTimeout } from "../../../kit/limiter.ts";
import { LruMap } from "../../../kit/bounded.ts";
import { createGrace } from "./grace.ts";
import type { Store } from "../../../store/types.ts";
import { parseJid } from "../../../kit/jid.ts";

/**
 * Logs in as local@domain; resolves true on success, false when the server refuses the
 * credentials or does not serve the domain; rejects when it cannot tell (unreachable, aborted).
 */
export type PasswordCheck = (local: string, domain: string, password: string, signal?: AbortSignal) => Promise<boolean>;

export interface XmppCheckDeps {
  /** The user domain: bare user names belong to it. */
  host: string;
  check: PasswordCheck;
  /** Where offline grace is kept; without it there is none. */
  store?: Store;
  /** Whether the component link is up; while it is down, grace is tried before a login. */
  linkOnline?: () => boolean;
  log?: Logger;
  now?: () => number;
}

type Verdict = "valid" | "refused";

export function xmppCheck(name: string, scheme: XmppAuth, deps: XmppCheckDeps) {
  const now = deps.now ?? Date.now;
  const verdicts = createVerdictCache(now);
  const inFlight = new Map<string, Promise<Verdict>>();
  const limiter = createLimiter(scheme.max_checks, scheme.max_queued_checks, now);
  const grace = createGrace(deps.store, name, scheme.offline_grace_s, now);
  const refused = () => new GatewayError("AUTH_FAILED", undefined, { headers: challenge(scheme.realm) });

  /** Asks the server, within timeout_ms from now, queue included. */
  async function login(local: string, domain: string, password: string): Promise<boolean> {
    const deadline = now() + scheme.timeout_ms;
    const abort = new AbortController();
    const busy = () => new GatewayError("AUTH_BUSY", undefined, { headers: { "retry-after": "1" } });
    const started = limiter.run(async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${scheme.timeout_ms} ms`)), Math.max(0, deadline - now()));
      });
      try {
        return await Promise.race([deps.check(local, domain, password, abort.signal), timeout]);
      } finally {
        clearTimeout(timer);
        abort.abort();
      }
    }, deadline);
    if (!started) throw busy();
    return started.catch((err: unknown) => {
      throw err instanceof LimiterTimeout ? busy() : err;
    });
  }

  async function verify(local: string, domain: string, password: string, key: string): Promise<Verdict> {
    const bare = `${local}@${domain}`;
    // Link down: the server is likely down too, so grace first rather than a login that fails.
    const offline = deps.linkOnline?.() === false;
    if (offline && (await grace.recall(bare, password))) return verdicts.set(key, "valid", scheme.cache_s);
    let ok: boolean;
    try {
      ok = await login(local, domain, password);
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      // The reason names the server's address: it goes to the log, never to the caller.
      deps.log?.warn("cannot check a password with the XMPP server", { scheme: name, user: bare, reason: (err as Error).message });
      if (!offline && (await grace.recall(bare, password))) return verdicts.set(key, "valid", scheme.cache_s);
      throw new GatewayError("AUTH_UNAVAILABLE");
    }
    if (!ok) return verdicts.set(key, "refused", scheme.failure_cache_s);
    grace.remember(bare, password).catch((err: Error) => deps.log?.error("cannot store offline grace", { scheme: name, user: bare, err }));
    return verdicts.set(key, "valid", scheme.cache_s);
  }

  return async function checkXmpp(request: Request): Promise<Identity> {
    const creds = parseBasic(request.headers.get("authorization"));
    if (!creds) throw new GatewayError("AUTH_REQUIRED", undefined, { headers: challenge(scheme.realm) });
    const jid = parseJid(creds.user.includes("@") ? creds.user : `${creds.user}@${deps.host}`);
    if (!jid?.local || jid.resource) throw refused();
    const bare = `${jid.local}@${jid.domain}`;
    const key = verdicts.key(bare, creds.password);
    const start = () => {
      const pending = verify(jid.local as string, jid.domain, creds.password, key).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
      return pending;
    };
    const verdict = verdicts.get(key) ?? (await (inFlight.get(key) ?? start()));
    if (verdict === "refused") throw refused();
    return { scheme: name, name: bare, jid: bare };
  };
}

const MAX_CACHED = 10_000;

/** Verdicts by salted hash of user and password, each until its expiry; the oldest go first. */
function createVerdictCache(now: () => number) {
  const salt = randomBytes(16);
  const cache = new LruMap<string, { verdict: Verdict; until: number }>(MAX_CACHED);
  return {
    key: (user: string, password: string) => createHash("sha256").update(salt).update(user).update("\0").update(password).digest("base64"),
    get(key: string): Verdict | undefined {
      const entry = cache.get(key);
      return entry && entry.until > now() ? entry.verdict : undefined;
    },
    set(key: string, verdict: Verdict, forS: number): Verdict {
      cache.delete(key);
      if (forS > 0) cache.set(key, { verdict, until: now() + forS * 1000 });
      return verdict;
    },
  };
}
