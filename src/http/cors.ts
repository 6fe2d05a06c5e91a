/**
 * CORS as Prosody's mod_http does it (on by default), so browser apps that called the original
 * modules keep working: every handled response carries Access-Control-* headers, and OPTIONS on
 * any routed path answers 200 with an empty body unless the plugin routes OPTIONS itself.
 */
export interface CorsPolicy {
  /** Headers for a response to `request` on a path served with `methods`. */
  headers(request: Request, methods: readonly string[]): Record<string, string>;
}

/** mod_http's default set is {GET, OPTIONS} plus the app's own methods. */
const BASE_METHODS = ["GET", "OPTIONS"];
const ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

export function createCors(enabled: boolean): CorsPolicy {
  // A route's methods are fixed when the app is built: their header is spelled once, not per request.
  const spelled = new WeakMap<readonly string[], string>();
  const allowMethods = (methods: readonly string[]) => {
    let header = spelled.get(methods);
    if (header === undefined) {
      header = [...new Set([...BASE_METHODS, ...methods])].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b)).join(", ");
      spelled.set(methods, header);
    }
    return header;
  };
  return {
    headers(request, methods): Record<string, string> {
      if (!enabled) return {};
      return {
        "access-control-allow-origin": request.headers.get("origin") ?? "*",
        "access-control-allow-methods": allowMethods(methods),
        "access-control-allow-headers": "Content-Type",
        "access-control-max-age": "7200",
        vary: "Origin",
      };
    },
  };
}

/**
 * Adds `headers` to a response (a new one when its headers are immutable). Walked with `for...in`:
 * this runs for every answer, and `Object.entries` made an array of pairs each time.
 */
export function withHeaders(res: Response, headers: Record<string, string>): Response {
  try {
    for (const k in headers) if (!res.headers.has(k)) res.headers.set(k, headers[k] as string);
    return res;
  } catch {
    const copy = new Response(res.body, res);
    for (const k in headers) if (!copy.headers.has(k)) copy.headers.set(k, headers[k] as string);
    return copy;
  }
}
