/**
 * The pieces of an OpenAPI 3.1 operation (spec.openapis.org/oas/v3.1.0) every route kind uses to
 * describe itself (src/features/openapi/ puts the document together).
 */
import type { TSchema } from "@sinclair/typebox";

type Json = Record<string, unknown>;

/** The catalogue's error answer, described once under components. */
export const ERROR = { $ref: "#/components/responses/Error" };

/** `/version/:host` -> `/version/{host}`; a wildcard tail `*` -> `{path}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([^/?]+)\??/g, "{$1}").replace(/\*$/, "{path}");
}

/** `POST /msg/{path}` -> `postMsgByPath`: unique per method and path. */
export function operationId(method: string, path: string): string {
  return `${method.toLowerCase()}${openApiPath(path)
    .replace(/\{([^}]+)\}/g, "by-$1")
    .replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))}`;
}

/** TypeBox schemas carry symbol keys; JSON keeps only what JSON Schema says. */
export function jsonSchema(schema: TSchema | Json): Json {
  return JSON.parse(JSON.stringify(schema)) as Json;
}
