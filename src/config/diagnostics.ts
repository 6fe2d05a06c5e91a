/**
 * Config problems, located in the YAML source and printed the way linters print them:
 *
 *   routes.yaml:7:13  error  routes[0].auth  no auth scheme named "opps" (defined: users, ops)
 */
import { isMap, isPair, isScalar, isSeq, Scalar, type Document, type LineCounter, type Node } from "yaml";

export interface Diagnostic {
  line: number;
  col: number;
  /** Key path in display form: `routes[0].options.post_url`. */
  path: string;
  message: string;
  /** Absent: an error, which stops the start. A warning is printed and the start goes on. */
  severity?: "warning";
}

/** Path segments as in the parsed object: keys and array indices. */
export type PathSegments = ReadonlyArray<string | number>;

function formatPath(path: PathSegments): string {
  return path.reduce<string>((acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), "") || "(top level)";
}

/** JSON pointer (`/routes/0/auth`, as TypeBox reports) -> segments. */
export function pointerToPath(pointer: string): Array<string | number> {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function formatDiagnostics(file: string, diagnostics: readonly Diagnostic[]): string {
  const lines = formatLines(file, diagnostics);
  const n = diagnostics.filter((d) => d.severity === undefined).length;
  const w = diagnostics.length - n;
  lines.push(`${n} error${n === 1 ? "" : "s"}${w ? `, ${w} warning${w === 1 ? "" : "s"}` : ""} — not started`);
  return lines.join("\n");
}

/** One line per problem, in source order, without the summary (warnings of a config that loads). */
export function formatLines(file: string, diagnostics: readonly Diagnostic[]): string[] {
  const sorted = [...diagnostics].sort((a, b) => a.line - b.line || a.col - b.col);
  return sorted.map((d) => `${file}:${d.line}:${d.col}  ${d.severity ?? "error"}  ${d.path}  ${d.message}`);
}

/** Finds where a path points in the source: the key for `keyOf` (unknown keys), else the value. */
export class SourceLocator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly source: string,
  ) {}

  /**
   * A position inside a string value (a template error at `offset` in it). In a block scalar
   * (`send: |`) the value's n-th line is the source's n-th line after the `|`, shifted by the
   * block's indentation; in a flow scalar the value starts where the node does.
   */
  inValue(path: PathSegments, message: string, offset: number): Diagnostic {
    const node = this.find(path, false);
    if (!isScalar(node) || !node.range) return this.at(path, message);
    const value = String(node.value);
    const before = value.slice(0, offset).split("\n");
    const lineInValue = before.length - 1;
    const colInLine = (before.at(-1) ?? "").length;
    const start = this.lines.linePos(node.range[0]);
    if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
      const sourceLines = this.source.split("\n");
      const line = start.line + 1 + lineInValue;
      // The block's own indentation: the source line's, less what the value line keeps.
      const lead = (s: string) => s.match(/^ */)?.[0].length ?? 0;
      const base = lead(sourceLines[line - 1] ?? "") - lead(value.split("\n")[lineInValue] ?? "");
      return { line, col: base + colInLine + 1, path: formatPath(path), message };
    }
    const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
    if (lineInValue > 0) return this.at(path, message);
    return { line: start.line, col: start.col + quoted + colInLine, path: formatPath(path), message };
  }

  at(path: PathSegments, message: string, options: { key?: boolean; offset?: number } = {}): Diagnostic {
    const node = this.find(path, options.key ?? false);
    const start = (node?.range?.[0] ?? 0) + (options.offset ?? 0);
    const pos = this.lines.linePos(start);
    return { line: pos.line, col: pos.col, path: formatPath(path), message };
  }

  /** The deepest node on `path` that exists: a missing key is reported at its parent. */
  private find(path: PathSegments, wantKey: boolean): Node | undefined {
    let node: unknown = this.doc.contents;
    let found: Node | undefined = this.doc.contents ?? undefined;
    for (const [i, seg] of path.entries()) {
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return found;
        if (last && wantKey) return pair.key as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number") {
        node = node.items[seg];
      } else return found;
      if (node && typeof node === "object" && "range" in node) found = node as Node;
    }
    return found;
  }
}
