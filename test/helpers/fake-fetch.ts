// A typed stand-in for `fetch` (webhooks, web apps): `typeof fetch` in Bun also carries
// `preconnect`, so a bare arrow function is not one; this adds it, and nothing is cast.

/** A `fetch` that answers every call with `respond(input, init)`. */
export function fakeFetch(respond: (input: string | URL | Request, init?: RequestInit) => Response | Promise<Response>): typeof fetch {
  return Object.assign(async (input: string | URL | Request, init?: RequestInit) => respond(input, init), { preconnect: () => undefined });
}
