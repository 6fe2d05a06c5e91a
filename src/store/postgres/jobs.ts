/**
 * Bot jobs run once across replicas (issue 26 §2). Every replica schedules every job; at a run's
 * time each asks for it, and one statement decides: the row of the job is taken (inserted, or
 * moved to this run) only if the run it holds is at least `gapMs` older. The row lock of
 * INSERT ... ON CONFLICT DO UPDATE makes replicas asking together wait for each other, and the
 * later one finds the row moved. A row, not pg_try_advisory_lock: an advisory lock belongs to one
 * pooled connection and ends with it, while the row outlives a replica killed mid-run.
 */
import type { SQL } from "bun";
import type { JobRuns } from "../types.ts";

export function postgresJobs(sql: SQL, replica: string): JobRuns {
  return {
    claim: async (job, at, gapMs) =>
      (
        await sql`INSERT INTO job_runs (job, at, replica) VALUES (${job}, ${at}, ${replica})
                  ON CONFLICT (job) DO UPDATE SET at = EXCLUDED.at, replica = EXCLUDED.replica
                  WHERE job_runs.at <= EXCLUDED.at - ${gapMs}
                  RETURNING job`
      ).length === 1,
  };
}
