/**
 * Where `stanzagate store copy` reads and writes: `--from sqlite:PATH` (or PATH) and `--to
 * postgres://…`, each with `${VAR}` expanded as routes.yaml's values are (config/env.ts), so a
 * password can stay in the environment: `--to 'postgres://app:${PGPASSWORD}@db/stanzagate'`. A side
 * left out is the config's `store:` when it is of that kind (before or after editing routes.yaml).
 */
import { expandUrlVariables, expandVariables } from "../config/env.ts";
import { isPostgresUrl, maskStoreUrl, postgresUrlProblem, URL_SHAPE } from "../kit/store-url.ts";

/** What the command line says (args.ts parses it). */
export interface StoreCopyArgs {
  from?: string;
  to?: string;
  /** Replace the rows a non-empty target holds instead of refusing it. */
  force: boolean;
}

/** The source file and the target URL, or why not, in one line. */
export function copyLocations(
  args: StoreCopyArgs,
  env: Record<string, string | undefined>,
  configStore: string | undefined,
): { from: string; to: string } | { error: string } {
  const rawFrom = args.from ?? (configStore !== undefined && !isPostgresUrl(configStore) ? configStore : undefined);
  const rawTo = args.to ?? (configStore !== undefined && isPostgresUrl(configStore) ? configStore : undefined);
  if (rawFrom === undefined || rawTo === undefined) {
    return { error: `store copy needs --from sqlite:PATH and --to ${URL_SHAPE} (the config's store: may give one of them)` };
  }
  const from = expanded("--from", rawFrom, env);
  const to = expanded("--to", rawTo, env);
  if ("error" in from) return from;
  if ("error" in to) return to;
  const path = from.value.replace(/^sqlite:(\/\/(?=\/))?/, "");
  if (isPostgresUrl(path)) return { error: `--from is the SQLite store to copy (sqlite:PATH or PATH), not ${maskStoreUrl(path)}` };
  if (path === "" || path === ":memory:")
    return { error: "--from needs the path of the SQLite store file (the store: of its routes.yaml)" };
  const bad = badUrl(to.value);
  return bad ? { error: bad } : { from: path, to: to.value };
}

function expanded(option: string, raw: string, env: Record<string, string | undefined>): { value: string } | { error: string } {
  // As store: in routes.yaml: a variable in the URL's userinfo is percent-encoded (config/env.ts).
  const { value, missing } = option === "--to" ? expandUrlVariables(raw, env) : expandVariables(raw, env);
  if (missing.length > 0) return { error: `${option}: the environment variable ${missing.join(", ")} is not set` };
  return { value };
}

function badUrl(to: string): string | undefined {
  if (!isPostgresUrl(to)) return `--to needs the PostgreSQL store's URL, ${URL_SHAPE}, not ${maskStoreUrl(to)}`;
  const problem = postgresUrlProblem(to);
  return problem === undefined ? undefined : `--to: ${problem}`;
}
