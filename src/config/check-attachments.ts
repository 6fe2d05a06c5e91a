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
import type { Diagnostic, SourceLocator } from "./diagnostics.ts";
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
  out: Diagnostic[],
): void {
  const raw = fields.attachments;
  if (!isRecord(raw)) return;
  if (publicUrlOf(fields) === undefined) {
    out.push(
      locate.at(
        ["attachments"],
        "attachments need http.public_url: the URL chat clients reach this listener at, which the links to the files start with",
        { key: true },
      ),
    );
  }
  const settings = attachmentsOf(raw);
  const taken = routes.find((r) => r.path === settings.path || r.path.startsWith(`${settings.path}/`));
  if (taken)
    out.push(locate.at(["attachments", "path"], `${settings.path} is where files are served, but ${taken.at} serves ${taken.path}`));
  checkRemote(raw.remote, locate, out);
  if (raw.upload === "xep0363") {
    out.push(
      locate.at(
        ["attachments", "upload"],
        "upload: xep0363 is not available in this build yet; leave it out (local) to serve files from here",
      ),
    );
  }
}

function checkRemote(raw: unknown, locate: SourceLocator, out: Diagnostic[]): void {
  if (!isRecord(raw)) return;
  if (raw.fetch === true) {
    out.push(
      locate.at(
        ["attachments", "remote", "fetch"],
        "fetching remote URLs is not available in this build yet; with fetch: false they are sent as links the client opens",
      ),
    );
  }
  if (!Array.isArray(raw.allow)) return;
  raw.allow.forEach((entry, i) => {
    const range = typeof entry === "string" ? parseProxyRange(entry) : undefined;
    if (typeof range === "string") out.push(locate.at(["attachments", "remote", "allow", i], range));
  });
}
