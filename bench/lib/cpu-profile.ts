/**
 * A summary of a CPU profile (the Chrome `.cpuprofile` format `bun --cpu-prof` writes): the top
 * frames by self time and by total time (self plus callees), and self time by source file or
 * package. Small text to keep in the repository, where the raw profile is megabytes.
 */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** "name file:line", with the path shortened to the repository or the package. */
function frameName(f: CallFrame): string {
  const url = f.url.replace(/^.*\/node_modules\//, "").replace(/^.*\/(src|plugins)\//, "$1/");
  const fn = f.functionName || "(anonymous)";
  return url ? `${fn} ${url}:${f.lineNumber + 1}` : fn;
}

/** The package (node_modules) or repository folder a frame is in; runtime frames have no url. */
function fileOf(f: CallFrame): string {
  if (!f.url) return f.functionName.startsWith("(") ? f.functionName : "(runtime)";
  const pkg = f.url.match(/\/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
  if (pkg) return pkg;
  return f.url.replace(/^.*\/(src|plugins)\//, "$1/");
}

interface Tally {
  self: Map<string, number>;
  total: Map<string, number>;
  files: Map<string, number>;
  samples: number;
}

/**
 * Counts each sample once for its own frame (self) and once for every distinct frame on its
 * stack (total). Samples in the first `skipMs` (start-up) are left out.
 */
function tally(p: CpuProfile, skipMs: number): Tally {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const t: Tally = { self: new Map(), total: new Map(), files: new Map(), samples: 0 };
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  let at = 0;
  for (const [i, id] of p.samples.entries()) {
    at += p.timeDeltas[i] ?? 0;
    if (at < skipMs * 1000) continue;
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === "(idle)") continue;
    t.samples++;
    add(t.self, frameName(node.callFrame));
    add(t.files, fileOf(node.callFrame));
    const seen = new Set<string>();
    for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
      const f = byId.get(up)?.callFrame;
      if (!f || f.functionName === "(root)") continue;
      const name = frameName(f);
      if (!seen.has(name)) add(t.total, name);
      seen.add(name);
    }
  }
  return t;
}

function table(title: string, m: Map<string, number>, samples: number, top: number): string[] {
  const rows = [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `## ${title}`,
    "",
    "| share | samples | frame |",
    "| ---: | ---: | --- |",
    ...rows.map(([k, n]) => `| ${((n / samples) * 100).toFixed(1)}% | ${n} | \`${k}\` |`),
    "",
  ];
}

/** Markdown: top frames by self time, by total time, and self time by file or package. */
export function summarizeProfile(p: CpuProfile, heading: string, skipMs: number, top = 30): string {
  const t = tally(p, skipMs);
  return [
    `# ${heading}`,
    "",
    `${t.samples} busy samples (idle and the first ${skipMs} ms, start-up, left out).`,
    "",
    ...table("Top frames by self time", t.self, t.samples, top),
    ...table("Top frames by total time (self + callees)", t.total, t.samples, top),
    ...table("Self time by file or package", t.files, t.samples, top),
  ].join("\n");
}
