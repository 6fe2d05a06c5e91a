/** `access:` of a ntfy route: topic names or "*", and an auth scheme to name the identities it lists. */
import type { PathSegments } from "../../config/diagnostics.ts";
import type { RouteChecks } from "../../feature-api.ts";
import { DISALLOWED, NAME } from "./publish.ts";
import type { TopicAccess } from "./subscribe-schema.ts";

export function checkAccess(access: TopicAccess | undefined, auth: string | undefined, at: PathSegments, c: RouteChecks): void {
  if (!access) return;
  // Without a scheme no request has an identity: every topic would be closed to everyone.
  if (auth === undefined) c.diagnostics.push(c.locate.at(at, "access: names identities, which only an auth: scheme gives: set auth:"));
  for (const topic of Object.keys(access)) {
    if (topic === "*" || (NAME.test(topic) && !DISALLOWED.has(topic))) continue;
    c.diagnostics.push(c.locate.at([...at, topic], `${JSON.stringify(topic)} is neither a ntfy topic name nor "*"`, { key: true }));
  }
}
