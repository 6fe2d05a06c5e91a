import { GatewayError, ownErrors, type ErrorCode, type OwnedErrorCode } from "../../src/plugin-api/index.ts";

/** The HTTP error code only roster_admin answers, added to the catalogue when the plugin registers. */
export const ROSTER_ADMIN_ERRORS = ownErrors({
  /** The web app behind the route failed (unreachable, non-200, unreadable answer). */
  WEB_APP_FAILED: { status: 502, message: "The web app did not answer usable contacts" },
});

/** mod_http_roster_admin's failure body, byte for byte: `{"status": "error", "message": ...}`. */
const failedBody = (message: string) => ({ status: "error", message });

/**
 * Why one user's roster could not be synced: told to the caller of GET refresh/<username> in the
 * original's body, `{"status": "error", "message": ...}`, with the catalogue's status for `code`
 * (WEB_APP_FAILED and XMPP_ERROR 502, LINK_DOWN 503, XMPP_TIMEOUT 504, BAD_REQUEST 400).
 */
export class SyncError extends GatewayError {
  constructor(code: ErrorCode | OwnedErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, { details, body: failedBody(message) });
    this.name = "SyncError";
  }
}
