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

/**
 * An operation whose body and answers the gateway does not know (a plugin's: its README says):
 * any body but for GET and HEAD, the usual answers.
 */
export function opaqueOperation(r: { method: string; path: string }, summary: string): Json {
  const body = r.method === "GET" || r.method === "HEAD" ? {} : { requestBody: { content: { "*/*": { schema: {} } } } };
  return {
    operationId: operationId(r.method, r.path),
    summary,
    ...body,
    responses: {
      "200": { description: "See the plugin's README" },
      "201": { description: "See the plugin's README" },
      "202": { description: "Queued" },
      "400": ERROR,
      "401": ERROR,
      "403": ERROR,
      "503": ERROR,
    },
  };
}

/** TypeBox schemas carry symbol keys; JSON keeps only what JSON Schema says. */
export function jsonSchema(schema: TSchema | Json): Json {
  return JSON.parse(JSON.stringify(schema)) as Json;
}
