/**
 * Where Gotify senders put the application token (auth/authentication.go `readTokenFromRequest`),
 * in Gotify's order: `?token=`, then `X-Gotify-Key`, then `Authorization: Bearer`. The route's
 * scheme (`kind: bearer`) reads only the Authorization header, so the token found first is
 * written there, as `Bearer <token>`, in the request the scheme sees; the scheme is unchanged.
 */

/** The token a sender gave outside Authorization, when it gave one. */
function gotifyToken(request: Request, url: URL): string | undefined {
  const query = url.searchParams.get("token");
  if (query) return query;
  return request.headers.get("x-gotify-key") ?? undefined;
}

/**
 * What the scheme checks: the request's URL, method and headers, the token moved into
 * Authorization. No body: a bearer scheme never reads one, and the handler reads it after.
 */
export function authRequest(request: Request, url: URL): Request {
  const token = gotifyToken(request, url);
  if (token === undefined) return new Request(request.url, { method: request.method, headers: request.headers });
  const headers = new Headers(request.headers);
  headers.set("authorization", `Bearer ${token}`);
  return new Request(request.url, { method: request.method, headers });
}
