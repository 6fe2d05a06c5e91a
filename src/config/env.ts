/**
 * `${VAR}` in any string value of routes.yaml is replaced by the environment variable VAR;
 * `${VAR:-fallback}` uses the fallback when VAR is unset or empty; `$${` writes a literal `${`.
 * A variable that is unset without a fallback is a config error, never an empty secret.
 */
import { isScalar, visit, type Document } from "yaml";
import { isPostgresUrl } from "../kit/store-url.ts";

const REFERENCE = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** The variables a text refers to (`$${` escapes excepted), and whether each reference has a fallback. */
export function variableReferences(text: string): Array<{ name: string; fallback: boolean }> {
  const found: Array<{ name: string; fallback: boolean }> = [];
  for (const [, escaped, name, fallback] of text.matchAll(REFERENCE)) {
    if (!escaped && name) found.push({ name, fallback: fallback !== undefined });
  }
  return found;
}

export interface MissingVariable {
  name: string;
  /** The scalar node's path in the document. */
  path: Array<string | number>;
}

/**
 * One string with its references replaced, as routes.yaml's values are (for a command-line
 * argument such as `store copy --to`, which may name `${PASSWORD}` the way `store:` does); each
 * unset variable without a fallback is named in `missing` and replaced by "".
 */
export function expandVariables(text: string, env: Record<string, string | undefined>): { value: string; missing: string[] } {
  const missing: string[] = [];
  const value = text.replace(REFERENCE, (whole, escaped: string | undefined, name: string, fallback: string | undefined) => {
    if (escaped) return whole.slice(1);
    const set = env[name];
    if (set !== undefined && set !== "") return set;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return "";
  });
  return { value, missing };
}

/**
 * A store URL's references expanded, those in its userinfo percent-encoded (RFC 3986 §3.2.1): a
 * generated password with `@ : / ? # %` then works as it is in the variable. The userinfo is
 * found in the text as written, before expansion, so a value cannot move its bounds.
 */
export function expandUrlVariables(text: string, env: Record<string, string | undefined>): { value: string; missing: string[] } {
  if (!isPostgresUrl(text)) return expandVariables(text, env);
  const references: string[] = [];
  const marked = text.replace(REFERENCE, (whole) => `\u0000${references.push(whole) - 1}\u0000`);
  const start = marked.indexOf("://") + 3;
  const end = marked.slice(start).search(/[/?#]/);
  const userinfoEnd = marked.lastIndexOf("@", end === -1 ? marked.length : start + end);
  const encoded = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === undefined ? v : encodeURIComponent(v)]));
  const missing: string[] = [];
  const value = marked.replace(/\u0000(\d+)\u0000/g, (_m, i: string, offset: number) => {
    const expanded = expandVariables(references[Number(i)] ?? "", offset < userinfoEnd ? encoded : env);
    missing.push(...expanded.missing);
    return expanded.value;
  });
  return { value, missing };
}

export function substituteEnv(doc: Document, env: Record<string, string | undefined>): MissingVariable[] {
  const missing: MissingVariable[] = [];
  visit(doc, {
    Scalar(_key, node, ancestors) {
      if (typeof node.value !== "string" || !node.value.includes("${")) return;
      const path = pathOf(ancestors, node);
      const url = path.length === 1 && path[0] === "store";
      const expanded = url ? expandUrlVariables(node.value, env) : expandVariables(node.value, env);
      node.value = expanded.value;
      for (const name of expanded.missing) missing.push({ name, path });
    },
  });
  return missing;
}

/** Rebuilds the key path of a node from the ancestors `visit` hands over. */
function pathOf(ancestors: readonly unknown[], node: unknown): Array<string | number> {
  const path: Array<string | number> = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i] as { items?: unknown[]; key?: unknown; value?: unknown };
    const child = chain[i + 1];
    if (Array.isArray(parent.items)) {
      const idx = parent.items.indexOf(child);
      const item = parent.items[idx] as { key?: unknown } | undefined;
      if (item && "key" in item && isScalar(item.key)) continue; // a Pair: its key is added below
      if (idx !== -1) path.push(idx);
    } else if ("key" in parent && isScalar(parent.key) && parent.value === child) {
      path.push(String(parent.key.value));
    }
  }
  return path;
}
