/**
 * A built-in GET endpoint outside routes[] (/metrics, /openapi.json): it answers GET on its path,
 * behind its own auth scheme when one is named, and lets every other request fall through to the
 * routes (undefined), as a path no route serves would.
 */
import { errorResponse } from "../plugin-api/errors.ts";
import type { Authenticator } from "../plugin-api/auth.ts";
import type { GatewayRequest } from "./request-context.ts";

export function getEndpoint(
  path: string,
  auth: Authenticator | undefined,
  answer: () => Promise<Response> | Response,
): (request: GatewayRequest) => Promise<Response | undefined> {
  return async (request) => {
    if (request.method !== "GET" || request.context.path !== path) return undefined;
    try {
      await auth?.authenticate(request, request.context.client);
      return await answer();
    } catch (err) {
      return errorResponse(err);
    }
  };
}
