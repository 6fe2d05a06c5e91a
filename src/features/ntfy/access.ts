/**
 * Who may read and who may write a topic (`access:`), as ntfy's access control separates them
 * (docs/config.md "Access control": read-write, read-only, write-only per topic). The identity is
 * the one the route's auth scheme found; ntfy's own answers: 40101 without credentials (the
 * scheme says so first), 40301 with credentials that lack the permission.
 */
import type { Identity } from "../../plugin-api/auth.ts";
import { NTFY, ntfyError } from "./errors.ts";
import type { TopicAccess } from "./subscribe-schema.ts";

export type Permission = "read" | "write";

/** Whether `user` may `permission` on `topic`; no `access:` lets every identity in. */
function allowed(access: TopicAccess | undefined, user: Identity | undefined, topic: string, permission: Permission): boolean {
  if (!access) return true;
  const names = (access[topic] ?? access["*"])?.[permission] ?? [];
  return user !== undefined && (names.includes("*") || names.includes(user.name));
}

/** Throws ntfy's 40301 unless `user` may `permission` on every one of `topics`. */
export function requireAccess(
  access: TopicAccess | undefined,
  user: Identity | undefined,
  topics: readonly string[],
  permission: Permission,
): void {
  const denied = topics.find((t) => !allowed(access, user, t, permission));
  if (denied !== undefined) throw ntfyError(NTFY.forbidden, `${user?.name ?? "anonymous"} may not ${permission} topic ${denied}`);
}
