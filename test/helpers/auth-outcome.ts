// What an authentication attempt came to, as one word: "ok", or the catalogue code it was refused
// with; and how many attempts came to each, to compare bursts with one expectation.
import { GatewayError } from "../../src/plugin-api/errors.ts";

export async function outcome(attempt: Promise<unknown>): Promise<string> {
  try {
    await attempt;
    return "ok";
  } catch (err) {
    return err instanceof GatewayError ? err.code : String(err);
  }
}

export function tally(outcomes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
  return counts;
}
