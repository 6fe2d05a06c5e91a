/**
 * `stanzagate schema`: the JSON Schema (draft 2020-12) of routes.yaml, for editors. Built from the
 * same TypeBox schemas `check` enforces, with each auth scheme and route shape in place of the
 * open `auth`/`routes` of the top level, and keys that have a default made optional (the file
 * may leave them out). `check` stays the authority: it also resolves ${VAR}, templates and
 * cross-references, which a schema cannot.
 */
import { Type, type TSchema } from "@sinclair/typebox";
import { topSchema } from "../config/load.ts";
import { FEATURE_REGISTRY } from "../features/index.ts";

export const SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema";

export function routesYamlSchema(): TSchema {
  const { auth, routes, ...rest } = topSchema(FEATURE_REGISTRY).properties as Record<string, TSchema>;
  const schema = Type.Object(
    {
      ...rest,
      auth: Type.Optional(
        Type.Record(Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_-]*$" }), Type.Union(FEATURE_REGISTRY.authKinds.map((a) => a.schema)), {
          description: auth?.description,
        }),
      ),
      routes: Type.Optional(Type.Array(Type.Union(FEATURE_REGISTRY.routeKinds.map((k) => k.schema)), { description: routes?.description })),
    },
    { additionalProperties: false, $schema: SCHEMA_DIALECT, title: "Stanzagate routes.yaml" },
  );
  return optionalDefaults(schema);
}

/** A copy where properties with a default are not required (spread keeps TypeBox's symbol keys). */
function optionalDefaults(schema: TSchema): TSchema {
  const out: TSchema = { ...schema };
  if (out.properties) {
    const props = out.properties as Record<string, TSchema>;
    out.properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, optionalDefaults(v)]));
    const required = ((out.required as string[] | undefined) ?? []).filter((k) => props[k]?.default === undefined);
    if (required.length) out.required = required;
    else delete out.required;
  }
  if (out.patternProperties)
    out.patternProperties = Object.fromEntries(
      Object.entries(out.patternProperties as Record<string, TSchema>).map(([k, v]) => [k, optionalDefaults(v)]),
    );
  if (out.items) out.items = optionalDefaults(out.items as TSchema);
  if (out.anyOf) out.anyOf = (out.anyOf as TSchema[]).map(optionalDefaults);
  return out;
}
