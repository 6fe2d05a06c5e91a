/**
 * The attachments section beyond its schema (src/files/schema.ts): it needs http.public_url
 * (the links in the messages start with it), its path must be nobody else's, and its remote
 * allow list must be CIDR ranges. A route that attaches files checks for http.public_url itself
 * (RouteChecks.attachments), where its `attach:` key can be pointed at.
 */
import { Value } from "@sinclair/typebox/value";
import { isRecord } from "../kit/bounded.ts";
import { parseProxyRange } from "../http/client-address.ts";
import { AttachmentsSchema, type AttachmentsConfig } from "../files/schema.ts";
import type { Diagnostic, PathSegments, SourceLocator } from "./diagnostics.ts";
import type { RouteBase } from "./feature-shape.ts";

/** The section with every default filled in (also when it is absent). */
export function attachmentsOf(raw: unknown): AttachmentsConfig {
  const section = isRecord(raw) ? structuredClone(raw) : {};
  const filled = Value.Default(AttachmentsSchema, section) as Record<string, unknown>;
  filled.rate = Value.Default(AttachmentsSchema.properties.rate, filled.rate ?? {});
  filled.remote = Value.Default(AttachmentsSchema.properties.remote, filled.remote ?? {});
  return filled as AttachmentsConfig;
}

/** Whether http.public_url is given, so files can be linked to (the schema checks its shape). */
export function publicUrlOf(fields: Record<string, unknown>): string | undefined {
  const url = isRecord(fields.http) ? fields.http.public_url : undefined;
  return typeof url === "string" ? url : undefined;
}

export function checkAttachments(
  fields: Record<string, unknown>,
  routes: readonly RouteBase[],
  locate: SourceLocator,
  { errors: out, warnings }: { errors: Diagnostic[]; warnings: Diagnostic[] },
): void {
  // Files follow the store: in memory, they are kept in a temporary folder that dies with the process.
  if (publicUrlOf(fields) !== undefined && fields.store === ":memory:") {
    const message = 'with store: ":memory:" files are kept in a temporary folder: their links die when the gateway stops';
    warnings.push({ ...locate.at(["store"], message), severity: "warning" });
  }
  const raw = fields.attachments;
  // http.public_url alone turns files on at the default path: that path is as taken as a configured one.
  if (!isRecord(raw)) {
    if (publicUrlOf(fields) !== undefined) checkFilesPath(attachmentsOf(undefined).path, routes, ["http", "public_url"], locate, out);
    return;
  }
  if (publicUrlOf(fields) === undefined) {
    out.push(
      locate.at(
        ["attachments"],
        "attachments need http.public_url: the URL chat clients reach this listener at, which the links to the files start with",
        { key: true },
      ),
    );
  }
  checkFilesPath(attachmentsOf(raw).path, routes, ["attachments", "path"], locate, out);
  checkRemote(raw.remote, locate, out);
}

/** Nothing is served below the files path but the files (`key`: what set that path, to point at). */
function checkFilesPath(path: string, routes: readonly RouteBase[], key: PathSegments, locate: SourceLocator, out: Diagnostic[]): void {
  const taken = routes.find((r) => r.path === path || r.path.startsWith(`${path}/`));
  if (taken) out.push(locate.at(key, `${path} is where files are served, but ${taken.at} serves ${taken.path}`));
}

function checkRemote(raw: unknown, locate: SourceLocator, out: Diagnostic[]): void {
  if (!isRecord(raw)) return;
  if (!Array.isArray(raw.allow)) return;
  raw.allow.forEach((entry, i) => {
    const range = typeof entry === "string" ? parseProxyRange(entry) : undefined;
    if (typeof range === "string") out.push(locate.at(["attachments", "remote", "allow", i], range));
  });
}
