/** An endpoint section (metrics, openapi) against the rest: its auth scheme must exist, its path must be free. */
import type { SectionChecks } from "./feature-shape.ts";
import { Value } from "@sinclair/typebox/value";
import type { Static, TSchema } from "@sinclair/typebox";
import { suggest } from "./suggest.ts";

/** The keys every endpoint section has. */
interface EndpointSettings {
  enabled: boolean;
  path: string;
  auth?: string | undefined;
}

function checkEndpoint(settings: EndpointSettings, section: string, c: SectionChecks): void {
  const { auth, locate, diagnostics: out } = c;
  if (settings.auth !== undefined && !(settings.auth in auth)) {
    const names = Object.keys(auth);
    const hint = suggest(settings.auth, names);
    out.push(
      locate.at(
        [section, "auth"],
        `no auth scheme named ${JSON.stringify(settings.auth)}${hint ? ` (did you mean "${hint}"?)` : ""} (defined: ${names.join(", ") || "none"})`,
      ),
    );
  }
  // Routes that serve one method at one path; a plugin's prefix never clashed.
  const clash = c.routes.find((r) => r.method !== undefined && r.path === settings.path);
  if (settings.enabled && clash)
    out.push(locate.at([section, "path"], `${settings.path} is already served by ${clash.at}; choose another ${section}.path`));
}

/**
 * A section whose schema the top level has checked already (its problems are reported there):
 * its value with the defaults filled in; undefined when it is invalid. Only a section the file
 * writes is checked against the rest, once the top level is valid: the defaults never clash.
 */
export function endpointSection<S extends TSchema>(schema: S, section: string, raw: unknown, c: SectionChecks): Static<S> | undefined {
  const value = Value.Default(schema, structuredClone(raw ?? {})) as Static<S>;
  if (!Value.Check(schema, value)) return undefined;
  if (raw !== undefined && c.topValid) checkEndpoint(value as EndpointSettings, section, c);
  return value;
}
