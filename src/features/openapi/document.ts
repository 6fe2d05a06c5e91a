/**
 * GET /openapi.json: an OpenAPI 3.1 description (spec.openapis.org/oas/v3.1.0) of what this
 * gateway serves, generated from the loaded routes.yaml and the routes the plugins registered:
 * declarative routes with their body schema (TypeBox schemas are JSON Schema already) and
 * answers, plugin routes with a generic body, auth schemes as security schemes.
 */
import type { TSchema } from "@sinclair/typebox";
import type { Config, RouteConfig } from "../../config/load.ts";
import type { AuthScheme } from "../../auth/schema.ts";
import { pathParams } from "../routes/check-template.ts";
import { HMAC_HEADERS } from "../auth/hmac/check.ts";

type Json = Record<string, unknown>;
const ERROR = { $ref: "#/components/responses/Error" };
const ERROR_SCHEMA = {
  type: "object",
  required: ["error", "code"],
  properties: {
    error: { type: "string", description: "A sentence saying what went wrong." },
    code: { type: "string", description: "A stable code from the catalogue (docs/configuration.md, Errors)." },
  },
  additionalProperties: true,
};

export interface ServedRoute {
  method: string;
  path: string;
}

export function openApiDocument(config: Config, served: readonly ServedRoute[], version: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  // OPTIONS answers CORS preflights (engine/cors.ts): not an operation of the API.
  for (const r of served.filter((s) => s.method !== "OPTIONS")) {
    const source = sourceOf(config.routes, r);
    const operation = source?.kind === "declarative" ? declarativeOperation(source, config) : pluginOperation(r, source);
    (paths[openApiPath(r.path)] ??= {})[r.method.toLowerCase()] = { ...operation, ...parameters(r.path), ...security(source?.auth) };
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
      securitySchemes: Object.fromEntries(Object.entries(config.auth).map(([name, s]) => [name, securityScheme(s)])),
    },
  };
}

/** The routes.yaml entry a registered route comes from: the same declarative route, else the plugin whose path prefixes it. */
function sourceOf(routes: readonly RouteConfig[], r: ServedRoute): RouteConfig | undefined {
  const declarative = routes.find((c) => c.kind === "declarative" && c.method === r.method && c.path === r.path);
  if (declarative) return declarative;
  const plugins = routes.filter((c) => c.kind === "plugin" && (r.path === c.path || r.path.startsWith(c.path.replace(/\/$/, "") + "/")));
  return plugins.sort((a, b) => b.path.length - a.path.length)[0];
}

function declarativeOperation(route: Extract<RouteConfig, { kind: "declarative" }>, config: Config): Json {
  const iq = route.iq;
  const schema = route.body?.schema ?? { type: "object", additionalProperties: true };
  const body =
    route.method === "GET"
      ? {}
      : {
          requestBody: {
            required: route.body !== undefined,
            content: {
              "application/json": { schema: jsonSchema(schema) },
              "application/x-www-form-urlencoded": { schema: jsonSchema(schema) },
              "text/plain": { schema: { type: "string", description: "Taken as the field `text`." } },
            },
          },
        };
  const sent = { type: "object", required: ["status", "id"], properties: { status: { enum: ["sent", "queued"] }, id: { type: "string" } } };
  const answers = iq
    ? {
        "200": {
          description: "The iq's result (respond: shape, or type/from/stanza)",
          content: { "application/json": { schema: { type: "object" } }, "application/xml": { schema: { type: "string" } } },
        },
        "404": ERROR,
        "502": ERROR,
        "504": ERROR,
      }
    : {
        "201": { description: "Sent to the XMPP server", content: { "application/json": { schema: sent } } },
        "202": { description: "Queued in the outbox: the server is unreachable", content: { "application/json": { schema: sent } } },
      };
  return {
    operationId: operationId(route.method, route.path),
    summary: route.name,
    description: iq
      ? `Sends an iq and answers its reply (timeout ${route.timeoutMs ?? config.xmpp.iq_timeout_ms} ms).`
      : "Renders the stanza template and delivers it.",
    ...body,
    responses: {
      ...answers,
      "400": ERROR,
      ...(route.auth ? { "401": ERROR, "403": ERROR, "429": ERROR } : {}),
      "413": ERROR,
      "415": ERROR,
      "503": ERROR,
    },
  };
}

function pluginOperation(r: ServedRoute, source: RouteConfig | undefined): Json {
  const plugin = source?.kind === "plugin" ? source.plugin : undefined;
  const body = r.method === "GET" || r.method === "HEAD" ? {} : { requestBody: { content: { "*/*": { schema: {} } } } };
  return {
    operationId: operationId(r.method, r.path),
    summary: plugin ? `${plugin.name}: ${plugin.summary}` : "Plugin route",
    ...(plugin ? { tags: [plugin.name] } : {}),
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

/** `/version/:host` -> `/version/{host}`; a wildcard tail `*` -> `{path}`. */
function openApiPath(path: string): string {
  return path.replace(/:([^/?]+)\??/g, "{$1}").replace(/\*$/, "{path}");
}

function parameters(path: string): Json {
  const names = [...pathParams(path), ...(path.endsWith("*") ? ["path"] : [])];
  return names.length ? { parameters: names.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } })) } : {};
}

function security(auth: string | undefined): Json {
  return auth ? { security: [{ [auth]: [] }] } : {};
}

function securityScheme(s: AuthScheme): Json {
  switch (s.kind) {
    case "basic":
    case "xmpp":
      return {
        type: "http",
        scheme: "basic",
        description:
          s.kind === "xmpp" ? "The user's XMPP address and password, checked by the XMPP server." : "A user and password from routes.yaml.",
      };
    case "bearer":
      return { type: "http", scheme: "bearer" };
    case "header":
      return { type: "apiKey", in: "header", name: "Authorization", description: "The exact value configured." };
    case "hmac":
      return {
        type: "apiKey",
        in: "header",
        name: HMAC_HEADERS[s.format],
        description: `An HMAC-SHA256 signature of the raw body (format ${s.format}).`,
      };
  }
}

/** `POST /msg/{path}` -> `postMsgByPath`: unique per method and path. */
function operationId(method: string, path: string): string {
  return `${method.toLowerCase()}${openApiPath(path)
    .replace(/\{([^}]+)\}/g, "by-$1")
    .replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))}`;
}

/** TypeBox schemas carry symbol keys; JSON keeps only what JSON Schema says. */
function jsonSchema(schema: TSchema | Json): Json {
  return JSON.parse(JSON.stringify(schema)) as Json;
}
