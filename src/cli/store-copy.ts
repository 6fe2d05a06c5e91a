/**
 * `stanzagate store copy --from sqlite:PATH --to postgres://…`: moves an installation from its
 * SQLite file to the PostgreSQL store replicas share (issue 26), outbox included, without losing a
 * row: the source read as one snapshot (store/copy/source.ts), the target written in one
 * transaction and checked before COMMIT (store/copy/target.ts). Exit 0 copied, 1 refused.
 * docs/operations.md "Moving from SQLite" is the procedure around it.
 */
import { SQL } from "bun";
import type { CliOutput } from "../feature-api.ts";
import { CopyRefused, type CopySource, openSource } from "../store/copy/source.ts";
import { type CopyOutcome, copyInto } from "../store/copy/target.ts";
import { type BlobsCopied, copyBlobs, filesLine } from "./store-copy-blobs.ts";
import { maskStoreUrl } from "../kit/store-url.ts";
import { copyLocations, type StoreCopyArgs } from "./store-locations.ts";

/** How long reaching the target may take before the copy gives up on it. */
const CONNECT_TIMEOUT_S = 10;

/**
 * `configStore` reads routes.yaml's `store:` (resolved), only when a side is left out; undefined
 * when the config cannot be read (it has said why).
 */
export async function storeCopyCommand(
  args: StoreCopyArgs,
  env: Record<string, string | undefined>,
  configStore: () => Promise<string | undefined>,
  io: CliOutput,
): Promise<number> {
  const where = copyLocations(args, env, args.from !== undefined && args.to !== undefined ? undefined : await configStore());
  if ("error" in where) {
    io.err(where.error);
    return 1;
  }
  let source: CopySource | undefined;
  const sql = new SQL(where.to, { max: 1, connectionTimeout: CONNECT_TIMEOUT_S });
  try {
    source = openSource(where.from);
    const blobs = await copyBlobs(sql, source);
    summary(source, where.to, await copyInto(sql, source, { force: args.force }), blobs, io);
    return 0;
  } catch (err) {
    io.err(refusal(err, where.to));
    return 1;
  } finally {
    source?.close();
    await sql.close();
  }
}

function refusal(err: unknown, to: string): string {
  if (err instanceof CopyRefused) return `store copy refused: ${err.message}`;
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown }).code;
  const why =
    code === "ERR_POSTGRES_CONNECTION_REFUSED" || code === "ERR_POSTGRES_CONNECTION_TIMEOUT" ? `cannot reach it (${message})` : message;
  return `store copy failed, nothing was copied into ${maskStoreUrl(to)}: ${why}`;
}

function summary(source: CopySource, to: string, outcome: CopyOutcome, blobs: BlobsCopied, io: CliOutput): void {
  if (source.migratedFrom !== undefined) io.out(`migrated ${source.path} from schema ${source.migratedFrom} to ${source.version} first`);
  if (outcome.replaced.size > 0) {
    io.out(`--force: replaced what the target held (${[...outcome.replaced].map(([t, n]) => `${t} ${n}`).join(", ")})`);
  }
  io.out(`copied ${source.path} (schema ${source.version}) into ${maskStoreUrl(to)} (schema ${outcome.targetVersion}), one transaction:`);
  const width = Math.max(...[...outcome.counts.keys()].map((t) => t.length));
  for (const [table, n] of outcome.counts) io.out(`  ${table.padEnd(width)}  ${n}`);
  io.out(`the outbox's next seq: ${outcome.nextSeq}`);
  if ((outcome.counts.get("files") ?? 0) > 0) io.out(filesLine(blobs));
  io.out("next: set store: to the PostgreSQL URL in routes.yaml and start the gateways on it");
}
