/** GET <openapi.path>: the OpenAPI document (openapi.ts), behind its own auth scheme when one is named. */
import pkg from "../../../package.json" with { type: "json" };
import type { Config } from "../../config/load.ts";
import type { Authenticator } from "../../auth/types.ts";
import type { GatewayRequest } from "../../http/request-context.ts";
import { errorResponse, jsonResponse } from "../../errors.ts";
import { openApiDocument, type ServedRoute } from "./document.ts";

export function openApiEndpoint(config: Config, served: readonly ServedRoute[], auth: Authenticator | undefined) {
  const { enabled, path } = config.openapi;
  // Built once per configuration: the routes cannot change without a reload.
  let document: Record<string, unknown> | undefined;
  return async (request: GatewayRequest): Promise<Response | undefined> => {
    if (!enabled || request.method !== "GET" || request.context.path !== path) return undefined;
    try {
      await auth?.authenticate(request, request.context.client);
      document ??= openApiDocument(config, served, pkg.version);
      return jsonResponse(200, document);
    } catch (err) {
      return errorResponse(err);
    }
  };
}
