/** Why one user's roster could not be synced: told to the caller of GET refresh/<username>. */
export class SyncError extends Error {
  /** 502 (web app or XMPP server failed), 503 (link down), 504 (no answer in time). */
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}, status = 502) {
    super(message);
    this.name = "SyncError";
    this.status = status;
    this.details = details;
  }
}
