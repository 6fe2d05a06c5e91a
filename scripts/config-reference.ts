// Prints the routes.yaml reference (markdown tables) from the TypeBox schemas, so the README's
// reference cannot drift from what `check` enforces: test/unit/readme.test.ts compares them.
import type { TSchema } from "@sinclair/typebox";
import { ConfigSchema } from "../src/config/schema.ts";
import { AUTH_SCHEMAS } from "../src/config/auth-schema.ts";
import { DeclarativeRouteSchema, FieldSchema, PluginRouteSchema } from "../src/config/route-schema.ts";

type Row = [key: string, type: string, def: string, description: string];

function typeOf(s: TSchema): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.anyOf) return (s.anyOf as TSchema[]).map(typeOf).join(" \\| ");
  if (s.type === "array") return `list of ${typeOf(s.items as TSchema)}`;
  if (s.type === "object" && s.patternProperties) return "map";
  return String(s.type ?? "any");
}

function rows(schema: TSchema, prefix: string, out: Row[] = []): Row[] {
  const required = new Set((schema.required as string[] | undefined) ?? []);
  for (const [key, prop] of Object.entries((schema.properties ?? {}) as Record<string, TSchema>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const def = prop.default !== undefined ? `\`${JSON.stringify(prop.default)}\`` : required.has(key) ? "required" : "";
    if (prop.type === "object" && prop.properties) {
      out.push([path, "object", required.has(key) ? "required" : "optional", prop.description ?? ""]);
      rows(prop, path, out);
    } else if (prop.type === "array" && (prop.items as TSchema).properties) {
      out.push([path, "list of objects", def, prop.description ?? ""]);
      rows(prop.items as TSchema, `${path}[]`, out);
    } else out.push([path, typeOf(prop), def, prop.description ?? ""]);
  }
  return out;
}

function table(title: string, r: Row[]): string {
  const lines = [`#### ${title}`, "", "| key | type | default | meaning |", "| --- | --- | --- | --- |"];
  for (const [k, t, d, m] of r) lines.push(`| \`${k}\` | ${t} | ${d} | ${m.replace(/\|/g, "\\|")} |`);
  return lines.join("\n");
}

export function configReference(): string {
  return [
    table("Top level", rows(ConfigSchema, "")),
    ...Object.entries(AUTH_SCHEMAS).map(([kind, s]) => table(`auth.<name> with kind: ${kind}`, rows(s, ""))),
    table("routes[] with plugin:", rows(PluginRouteSchema, "")),
    table("routes[] declarative", rows(DeclarativeRouteSchema, "")),
    table("routes[].body.<field> (long form)", rows(FieldSchema, "")),
  ].join("\n\n");
}

const START = "<!-- config-reference:start -->\n";
const END = "\n<!-- config-reference:end -->";

/** The README with its reference section replaced by the current one. */
export function withReference(readme: string): string {
  const [head, rest] = readme.split(START);
  const tail = rest?.split(END)[1];
  if (head === undefined || tail === undefined) throw new Error("README.md lacks the config-reference markers");
  return head + START + configReference() + END + tail;
}

// `bun scripts/config-reference.ts --write` updates README.md in place; without it, prints.
if (import.meta.main) {
  const file = new URL("../README.md", import.meta.url).pathname;
  if (process.argv.includes("--write")) await Bun.write(file, withReference(await Bun.file(file).text()));
  else console.log(configReference());
}
