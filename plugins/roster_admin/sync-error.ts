import { GatewayError, ORIGINAL_BODIES, type ErrorCode } from "../../src/plugin-api.ts";

/**
 * Why one user's roster could not be synced: told to the caller of GET refresh/<username> in the
 * original's body, `{"status": "error", "message": ...}`, with the catalogue's status for `code`
 * (WEB_APP_FAILED and XMPP_ERROR 502, LINK_DOWN 503, XMPP_TIMEOUT 504, BAD_REQUEST 400).
 */
export class SyncError extends GatewayError {
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details, body: ORIGINAL_BODIES.roster_admin.failed(message) });
    this.name = "SyncError";
  }
}
