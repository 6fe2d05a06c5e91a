/**
 * routes.yaml read from disk for every command: the gateway (`serve`, and each SIGHUP reload),
 * `check`, `render` and `outbox` all go through `readConfigFile`, so they agree on what a file
 * means, down to where its store is.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { BUILTIN_PLUGINS } from "../../plugins/index.ts";
import { formatDiagnostics, formatLines } from "../config/diagnostics.ts";
import { variableReferences } from "../config/env.ts";
import { loadConfig, type Config } from "../features/index.ts";
import { isPostgresUrl } from "../kit/store-url.ts";

export type ConfigFileResult = { ok: true; config: Config; text: string; warnings: string[] } | { ok: false; errors: string[] };

export interface ReadOptions {
  /**
   * For commands that never connect (`outbox`, `render`): a `${VAR}` that is not set, such as the
   * component secret, is read as a placeholder instead of failing the load, unless `store:` needs it.
   */
  offline?: boolean;
}

/**
 * A relative `store:` is relative to the directory of the config file that names it, never to
 * the working directory: `stanzagate outbox list --config /etc/stanzagate/routes.yaml` run from
 * anywhere opens the file the service writes. `:memory:` is not a path.
 */
export function resolveStorePath(configFile: string, store: string): string {
  if (store === ":memory:" || isAbsolute(store) || isPostgresUrl(store)) return store;
  return resolve(dirname(resolve(configFile)), store);
}

/** routes.yaml read and checked: the config (its store resolved) and its text, or every problem, one line each. */
export async function readConfigFile(
  file: string,
  env: Record<string, string | undefined>,
  opts: ReadOptions = {},
): Promise<ConfigFileResult> {
  const source = Bun.file(file);
  if (!(await source.exists())) return { ok: false, errors: [`${file}: no such file (use --config FILE)`] };
  return checkText(file, await source.text(), env, opts);
}

function checkText(file: string, text: string, env: Record<string, string | undefined>, opts: ReadOptions): ConfigFileResult {
  const unset = new Set<string>();
  const result = loadConfig(text, opts.offline ? placeholders(text, env, unset) : env, BUILTIN_PLUGINS);
  if (result.ok) {
    const config = { ...result.config, store: resolveStorePath(file, result.config.store) };
    const storeUnset = [...unset].find((name) => result.config.store.includes(placeholder(name)));
    if (storeUnset) return { ok: false, errors: [`${file}: store: the environment variable ${storeUnset} is not set`] };
    return { ok: true, config, text, warnings: formatLines(file, result.warnings) };
  }
  // A placeholder may not fit where the variable is used (a JID, a URL): the strict reading says why.
  if (unset.size) return checkText(file, text, env, {});
  return { ok: false, errors: formatDiagnostics(file, result.diagnostics).split("\n") };
}

const placeholder = (name: string) => `unset-${name.toLowerCase().replaceAll("_", "-")}`;

/**
 * The environment, plus a placeholder for each variable the text uses without a fallback and that
 * is unset or empty (noted in `unset`); one with a fallback anywhere keeps its fallback.
 */
function placeholders(text: string, env: Record<string, string | undefined>, unset: Set<string>): Record<string, string | undefined> {
  const bare = new Set<string>();
  const withFallback = new Set<string>();
  for (const { name, fallback } of variableReferences(text)) (fallback ? withFallback : bare).add(name);
  const filled: Record<string, string | undefined> = { ...env };
  for (const name of bare) {
    if (withFallback.has(name) || (env[name] !== undefined && env[name] !== "")) continue;
    unset.add(name);
    filled[name] = placeholder(name);
  }
  return filled;
}
