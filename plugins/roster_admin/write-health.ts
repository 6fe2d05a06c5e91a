/**
 * Whether the server accepts this route's roster writes, for /health. A server can grant roster
 * "both" and still refuse every set (ejabberd 23.01 answers a privileged roster set with
 * wait/internal-server-error, its own bug): the grant alone would say all is well.
 */
import { GatewayError } from "../../src/plugin-api/index.ts";

type WriteState = "untried" | "ok" | "failing";

export interface WriteHealth {
  ok(): void;
  failed(err: unknown): void;
  report(): Record<string, unknown>;
}

export function createWriteHealth(now: () => Date = () => new Date()): WriteHealth {
  let state: WriteState = "untried";
  let failures = 0;
  let lastError: Record<string, unknown> | undefined;
  let since: Date | undefined;
  const enter = (next: WriteState) => {
    if (state !== next) since = now();
    state = next;
  };
  return {
    ok() {
      enter("ok");
      failures = 0;
    },
    failed(err) {
      enter("failing");
      failures++;
      lastError = describe(err);
    },
    report: () => ({
      roster_writes: state,
      ...(since ? { since: since.toISOString() } : {}),
      ...(state === "failing" ? { failed_sets: failures, last_error: lastError } : {}),
    }),
  };
}

function describe(err: unknown): Record<string, unknown> {
  if (err instanceof GatewayError) return { code: err.code, message: err.message, ...err.details };
  return { message: err instanceof Error ? err.message : String(err) };
}
