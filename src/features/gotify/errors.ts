/**
 * Errors as a Gotify server answers them (model/error.go, error/handler.go `writeError`):
 * `{"error": <Go's http.StatusText>, "errorCode": <status>, "errorDescription": <sentence>}`.
 * Senders show `errorDescription` to their user (apprise logs it, Uptime Kuma surfaces it), so the
 * gateway's own sentence goes there when Gotify has none for the case (413, 503...).
 */
import { GatewayError, errorResponse, ownErrors } from "../../plugin-api/errors.ts";

/** The codes only this route answers, in the catalogue beside the shared ones. */
export const GOTIFY_ERRORS = ownErrors({
  GOTIFY_NO_MESSAGE: { status: 400, message: "Field 'message' is required" },
  GOTIFY_INVALID_ID: { status: 400, message: "invalid id" },
  GOTIFY_UNKNOWN_MESSAGE: { status: 404, message: "message does not exist" },
});

// Go's net/http status.go texts, which differ from Node's in places (413, 422).
const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Request Entity Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

// Gotify's own sentences (auth/authentication.go) where the gateway's differ.
const DESCRIPTIONS: Record<string, string> = {
  AUTH_REQUIRED: "you need to provide a valid access token or user credentials to access this api",
  AUTH_FAILED: "you need to provide a valid access token or user credentials to access this api",
  FORBIDDEN: "you are not allowed to access this api",
  // Nothing a client would show (notify/send.ts); the title (the application's name when blank)
  // normally prevents it, and a message of U+FFFD alone is refused as missing when read (read.ts).
  NO_TEXT: GOTIFY_ERRORS.GOTIFY_NO_MESSAGE.message,
};

/** A path below a gotify route's root that Gotify has no route for: its router's 404 (error/notfound.go). */
export function gotifyPageNotFound(): Response {
  return gotifyError(new GatewayError("NOT_FOUND", "page not found"));
}

/** Any refusal of a gotify route, in Gotify's shape, keeping the gateway's headers (Retry-After). */
export function gotifyError(err: GatewayError): Response {
  const description = DESCRIPTIONS[err.code] ?? err.message;
  return errorResponse(
    new GatewayError(err.spec, err.message, {
      status: err.status,
      headers: err.headers,
      body: { error: STATUS_TEXT[err.status] ?? "", errorCode: err.status, errorDescription: description },
    }),
  );
}
