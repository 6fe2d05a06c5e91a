// What an authentication attempt came to, as one word: "ok", or the catalogue code it was refused
// with; and how many attempts came to each, to compare bursts with one expectation.
import { GatewayError } from "../../src/errors.ts";

export async function outcome(attempt: Promise<unknown>): Promise<string> {
  try {
    await attempt;
    return "ok";
  } catch (err) {
    return err instanceof GatewayError ? err.code : String(err);
  }
}

export const tally = (outcomes: string[]) => outcomes.reduce<Record<string, number>>((t, c) => ({ ...t, [c]: (t[c] ?? 0) + 1 }), {});
