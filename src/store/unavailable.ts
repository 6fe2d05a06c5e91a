/**
 * The one refusal for a store that cannot be used now (a write failed, a PostgreSQL store down or
 * not answering): 503 STORE_UNAVAILABLE with a Retry-After (RFC 9110 §10.2.3), so that senders
 * that honour it (apprise, Uptime Kuma) back off instead of retrying at once. Nothing was done
 * when it is thrown before sending; see docs/operations.md "When the store does not answer".
 */
import { GatewayError } from "../plugin-api/errors.ts";

/** Seconds a sender is asked to wait: about one store probe period plus the bound of a store operation. */
const STORE_RETRY_AFTER_S = 10;

export function storeUnavailable(reason: string | undefined, message?: string): GatewayError {
  return new GatewayError("STORE_UNAVAILABLE", message, {
    details: reason === undefined ? {} : { reason },
    headers: { "Retry-After": String(STORE_RETRY_AFTER_S) },
  });
}

/** Why a store operation failed, for logs and /health: the reason a STORE_UNAVAILABLE carries, else the error's message. */
export function storeFailureReason(err: unknown): string {
  if (err instanceof GatewayError && typeof err.details.reason === "string") return err.details.reason;
  return err instanceof Error ? err.message : String(err);
}
