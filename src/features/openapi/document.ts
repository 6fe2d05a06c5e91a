/**
 * GET /openapi.json: an OpenAPI 3.1 description (spec.openapis.org/oas/v3.1.0) of what this
 * gateway serves, generated from the loaded routes.yaml and the routes the plugins registered:
 * declarative routes with their body schema (TypeBox schemas are JSON Schema already) and
 * answers, plugin routes with a generic body, auth schemes as security schemes.
 */
import type { CoreConfig } from "../../config/config-types.ts";
import type { AuthKind, RouteBase, RouteKind, SchemeBase, ServedRoute } from "../../feature-api.ts";
import { pathParams } from "../../http/paths.ts";
import { opaqueOperation, openApiPath } from "../../http/openapi.ts";

type Json = Record<string, unknown>;
const ERROR_SCHEMA = {
  type: "object",
  required: ["error", "code"],
  properties: {
    error: { type: "string", description: "A sentence saying what went wrong." },
    code: { type: "string", description: "A stable code from the catalogue (docs/configuration.md, Errors)." },
  },
  additionalProperties: true,
};

/** What the document is made of: the configuration, the registered kinds, what is served. */
export interface DescribedGateway {
  config: CoreConfig;
  routes: readonly RouteBase[];
  auth: Readonly<Record<string, SchemeBase>>;
  kinds: { route(route: RouteBase): RouteKind; auth(kind: string): AuthKind | undefined };
}

export function openApiDocument(gateway: DescribedGateway, served: readonly ServedRoute[], version: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  // OPTIONS answers CORS preflights (http/cors.ts): not an operation of the API.
  for (const r of served.filter((s) => s.method !== "OPTIONS")) {
    // A secret path is never published; one whose secret is a parameter (Discord's {token}) carries none.
    if (r.secret && pathParams(r.path).length === 0) continue;
    const source = sourceOf(gateway, r);
    const operation = source?.kind.operation?.(source.route, r, gateway.config) ?? opaqueOperation(r, "Plugin route");
    (paths[openApiPath(r.path)] ??= {})[r.method.toLowerCase()] = { ...operation, ...parameters(r.path), ...security(source?.route.auth) };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Stanzagate", version, description: "HTTP routes of this gateway, generated from its routes.yaml." },
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      responses: {
        Error: {
          description: "An error from the catalogue",
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        },
      },
      securitySchemes: Object.fromEntries(
        Object.entries(gateway.auth).map(([name, s]) => [name, gateway.kinds.auth(s.kind)?.securityScheme(s) ?? {}]),
      ),
    },
  };
}

/** The routes.yaml entry a registered route comes from: the one whose kind says it serves it best. */
function sourceOf(gateway: DescribedGateway, r: ServedRoute): { route: RouteBase; kind: RouteKind } | undefined {
  let best: { route: RouteBase; kind: RouteKind; score: number } | undefined;
  for (const route of gateway.routes) {
    const kind = gateway.kinds.route(route);
    const score = kind.serves?.(route, r);
    if (score !== undefined && (!best || score > best.score)) best = { route, kind, score };
  }
  return best;
}

function parameters(path: string): Json {
  const names = [...pathParams(path), ...(path.endsWith("*") ? ["path"] : [])];
  return names.length ? { parameters: names.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } })) } : {};
}

function security(auth: string | undefined): Json {
  return auth ? { security: [{ [auth]: [] }] } : {};
}
