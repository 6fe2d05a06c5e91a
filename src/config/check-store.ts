/**
 * `store:` checked by `check` with its file:line:col (issue 26 review, finding 15): a PostgreSQL
 * URL's syntax, port, host, database and sslmode, and a URL of another scheme (`mysql://…`),
 * which would otherwise be taken for a relative SQLite file name. The driver's own words come
 * only at start, without a location.
 */
import { storeProblem } from "../kit/store-url.ts";
import type { Diagnostic, SourceLocator } from "./diagnostics.ts";

export function checkStore(store: unknown, locate: SourceLocator, diagnostics: Diagnostic[]): void {
  if (typeof store !== "string") return; // the schema says so
  const problem = storeProblem(store);
  if (problem !== undefined) diagnostics.push(locate.at(["store"], problem));
}
