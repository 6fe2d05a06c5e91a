/**
 * What kind of store routes.yaml's `store:` names, without opening it (the config check asks):
 * a bun:sqlite file (or ":memory:"), or a PostgreSQL URL that replicas share (issue 26); how such a
 * URL is shown (never its password) and what makes one unusable, said before the driver is reached.
 */
export const isPostgresUrl = (store: string): boolean => /^postgres(ql)?:\/\//i.test(store);

/** The file a SQLite store lives in (watched by store-health.ts); undefined for PostgreSQL. */
export const storeFile = (store: string): string | undefined => (isPostgresUrl(store) ? undefined : store);

/** A URL of any scheme (`mysql://…`): not a file path, even if a SQLite store could be given that name. */
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The sslmode values Bun's client takes (libpq's list); anything else fails only at connect. */
const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;

export const URL_SHAPE = "postgres://user:password@host:5432/database?sslmode=verify-full";

/**
 * The URL as messages, logs and /health show it: the whole password replaced by ***. The userinfo
 * ends at the LAST `@` (a raw password may hold `@ : / ? #`): masking too much beats showing a
 * part of a secret.
 */
export function maskStoreUrl(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
  if (scheme === undefined) return url;
  const rest = url.slice(scheme.length);
  const at = rest.lastIndexOf("@");
  const colon = rest.indexOf(":");
  if (at === -1 || colon === -1 || colon > at) return url;
  return `${scheme}${rest.slice(0, colon)}:***@${rest.slice(at + 1)}`;
}

/** Why `store:` (variables expanded) cannot be used, in one sentence; undefined when it can. */
export function storeProblem(store: string): string | undefined {
  if (isPostgresUrl(store)) return postgresUrlProblem(store);
  if (HAS_SCHEME.test(store)) {
    return `${maskStoreUrl(store)} is neither a file nor a PostgreSQL URL (${URL_SHAPE}): no other database is supported`;
  }
  return undefined;
}

/** Scheme, syntax, host, a named database (never the user's default one: it may be another store), sslmode. */
export function postgresUrlProblem(store: string): string | undefined {
  let url: URL;
  try {
    url = new URL(store);
  } catch {
    // A port past 65535 lands here too (WHATWG URL refuses it).
    return `${maskStoreUrl(store)} is not a URL (${URL_SHAPE}; a port is 1-65535, a password with @ : / ? # % is percent-encoded)`;
  }
  const shown = maskStoreUrl(store);
  // A unix socket is `?host=/run/postgresql`; otherwise the URL itself names the server.
  if (url.hostname === "" && !url.searchParams.get("host")) return `${shown} names no host (${URL_SHAPE})`;
  if (url.pathname === "" || url.pathname === "/") {
    return `${shown} names no database: name it (…/stanzagate); without one the server picks the user's, which may be another store`;
  }
  const sslmode = url.searchParams.get("sslmode");
  if (sslmode !== null && !(SSL_MODES as readonly string[]).includes(sslmode)) {
    return `${shown}: sslmode=${sslmode} is not one of ${SSL_MODES.join(", ")}`;
  }
  return undefined;
}

/**
 * The URL with `application_name=<name>` unless it names one itself, so pg_stat_activity tells
 * each replica's connections apart (and `store copy --force` sees gateways using its target).
 */
export function withApplicationName(store: string, name: string): string {
  const url = new URL(store);
  if (url.searchParams.has("application_name")) return store;
  url.search = `${url.search === "" ? "?" : `${url.search}&`}application_name=${encodeURIComponent(name)}`;
  return url.toString();
}

/** What every Stanzagate connection's application_name starts with (store copy looks for it). */
export const APPLICATION_PREFIX = "stanzagate";
