// Prints the routes.yaml reference (markdown tables) from the TypeBox schemas, so
// docs/reference.md cannot drift from what `check` enforces, and each plugin README's options table from
// that plugin's options schema: test/unit/readme.test.ts compares them.
import type { TSchema } from "@sinclair/typebox";
import { BUILTIN_PLUGINS } from "../plugins/index.ts";
import { topSchema } from "../src/config/load.ts";
import { FEATURE_REGISTRY } from "../src/features/index.ts";
import { presetsSection } from "./presets-doc.ts";
import { readmeFormatsSection } from "./readme-formats.ts";

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

function tableBody(r: Row[], keyHeader: string): string[] {
  const lines = [`| ${keyHeader} | type | default | meaning |`, "| --- | --- | --- | --- |"];
  for (const [k, t, d, m] of r) lines.push(`| \`${k}\` | ${t} | ${d} | ${m.replace(/\|/g, "\\|")} |`);
  return lines;
}

function table(title: string, r: Row[]): string {
  return [`## ${title}`, "", ...tableBody(r, "key")].join("\n");
}

/** "integer ≥ 1", "integer 1–256": the bounds `check` enforces on a number. */
function withBounds(s: TSchema, type: string): string {
  const { minimum: min, maximum: max } = s as { minimum?: number; maximum?: number };
  if (min !== undefined && max !== undefined) return `${type} ${min}–${max}`;
  if (min !== undefined) return `${type} ≥ ${min}`;
  return max !== undefined ? `${type} ≤ ${max}` : type;
}

/** The options table of one plugin's README, from the plugin's options schema. */
export function pluginOptionsTable(schema: TSchema): string {
  const properties = (schema.properties ?? {}) as Record<string, TSchema>;
  const r = rows(schema, "").map(([key, type, def, meaning]): Row => {
    const prop = properties[key];
    return [key, prop ? withBounds(prop, type) : type, def || "none", meaning];
  });
  return tableBody(r, "option").join("\n");
}

export function configReference(): string {
  return [
    table("Top level", rows(topSchema(FEATURE_REGISTRY), "")),
    ...FEATURE_REGISTRY.authKinds.map((a) => table(`auth.<name> with kind: ${a.kind}`, rows(a.schema, ""))),
    ...FEATURE_REGISTRY.routeKinds.map((k) => table(k.title, rows(k.schema, ""))),
    ...FEATURE_REGISTRY.features.flatMap((f) => f.reference ?? []).map((r) => table(r.title, rows(r.schema, ""))),
  ].join("\n\n");
}

/** What lies between the `marker` comments of `text` (undefined without them). */
export function section(text: string, marker: string): string | undefined {
  return text.split(`<!-- ${marker}:start -->\n`)[1]?.split(`\n<!-- ${marker}:end -->`)[0];
}

/** `text` with what lies between the `marker` comments replaced by `content`. */
function between(text: string, marker: string, content: string, file: string): string {
  const start = `<!-- ${marker}:start -->\n`;
  const end = `\n<!-- ${marker}:end -->`;
  const [head, rest] = text.split(start);
  const tail = rest?.split(end)[1];
  if (head === undefined || tail === undefined) throw new Error(`${file} lacks the ${marker} markers`);
  return head + start + content + end + tail;
}

/** docs/reference.md with its generated section replaced by the current one. */
export function withReference(reference: string): string {
  return between(reference, "config-reference", configReference(), "docs/reference.md");
}

/** docs/presets.md with its generated section (scripts/presets-doc.ts) replaced by the current one. */
function withPresets(doc: string): string {
  return between(doc, "presets", presetsSection(), "docs/presets.md");
}

/** README.md with its "What a person sees" examples (scripts/readme-formats.ts) replaced by the current ones. */
function withFormats(readme: string): string {
  return between(readme, "formats-seen", readmeFormatsSection(), "README.md");
}

/** A plugin's README with its options table replaced by the one its schema gives. */
export function withPluginOptions(readme: string, plugin: string): string {
  const definition = BUILTIN_PLUGINS.get(plugin);
  if (!definition) throw new Error(`no built-in plugin named ${plugin}`);
  return between(readme, "plugin-options", pluginOptionsTable(definition.options), `plugins/${plugin}/README.md`);
}

/** Every generated file: its path from the repository root, and how to regenerate its text. */
export const GENERATED: ReadonlyArray<{ file: string; regenerate: (text: string) => string }> = [
  { file: "docs/reference.md", regenerate: withReference },
  { file: "docs/presets.md", regenerate: withPresets },
  { file: "README.md", regenerate: withFormats },
  ...[...BUILTIN_PLUGINS.keys()].map((name) => ({
    file: `plugins/${name}/README.md`,
    regenerate: (text: string) => withPluginOptions(text, name),
  })),
];

// `bun scripts/config-reference.ts --write` updates docs/reference.md, docs/presets.md, README.md's examples and every plugin README in place;
// without it, prints the routes.yaml reference.
if (import.meta.main) {
  if (process.argv.includes("--write")) {
    for (const { file, regenerate } of GENERATED) {
      const path = new URL(`../${file}`, import.meta.url).pathname;
      await Bun.write(path, regenerate(await Bun.file(path).text()));
    }
  } else console.log(configReference());
}
