/**
 * `store copy --force` empties the target: never under running gateways (issue 26 review, finding
 * 10), whose queued rows it would delete and whose sent ones it would queue again. Gateways name
 * their connections (`application_name=stanzagate <component>`, store/location.ts), and
 * pg_stat_activity shows every session's application_name to any user of the database.
 */
import type { SQL } from "bun";
import { APPLICATION_PREFIX } from "../../kit/store-url.ts";
import { CopyRefused } from "./source.ts";

export async function refuseWhileInUse(sql: SQL): Promise<void> {
  const rows = await sql`
    SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE ${`${APPLICATION_PREFIX} %`}
    GROUP BY application_name ORDER BY application_name`;
  if (rows.length === 0) return;
  const list = (rows as Array<{ name: string; n: number }>).map((r) => `${r.name} (${r.n} connections)`).join(", ");
  throw new CopyRefused(
    `gateways are connected to the target: ${list}; --force would delete the rows they queued and queue again what they sent: stop them first (SIGTERM), or copy into an empty database`,
  );
}
