/** What an HTTP route path declares. */

/** `:name` segments as the HTTP router reads them (`:name?` is an optional one). */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:([^/?]+)\??(?=\/|$)/g)].map((m) => m[1] as string);
}
