/**
 * mod_http_muc_kick's bodies, byte for byte: `{"error": "..."}` and nothing else. Callers match
 * on them, so where the original answered, the plugin answers these (GatewayError `body`) with
 * the shared catalogue's status for the code.
 */
export const ORIGINAL_BODIES = {
  authFailed: { error: "Authorization failed" },
  noJson: { error: "JSON body not found" },
  missing: { error: "Missing nickname and/or MUC" },
  notFound: (why: string) => ({ error: `MUC not found: ${why}` }),
  /** Built there from set_role's error type and condition; here they are the room's. */
  refused: (action: string, type: string, condition: string, text?: string) => ({
    error: `Couldn't ${action} user: ${type}: ${condition}`,
    ...(text ? { text } : {}),
  }),
} as const;
