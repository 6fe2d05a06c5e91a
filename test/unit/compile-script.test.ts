// `make build` and `make release` compile through scripts/compile.sh, so Bun's temporary copy of
// the executable (.<hash>-00000000.bun-build, written in the current directory) never lands in
// the working tree, not even when the build is killed part-way (issue 19: one was committed).
// A stand-in for bun does to the file system what `bun build --compile` does, without the build.
import { afterAll, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "../../testbed/timeouts.ts";

const ROOT = join(import.meta.dir, "../..");
const SCRIPT = join(ROOT, "scripts/compile.sh");
const STUB = `#!/usr/bin/env bash
while [ $# -gt 0 ]; do [ "$1" = --outfile ] && out="$2"; shift; done
echo partial > .stub-00000000.bun-build
# A build still running: the test kills it (bounded, should the kill never come).
[ -n "\${STUB_BLOCK:-}" ] && exec sleep 60
mv .stub-00000000.bun-build "$out"
`;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A working tree with src/main.ts and the stand-in bun, and a TMPDIR of its own. */
function tree(): { dir: string; tmp: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), "sg-compile-tree-"));
  const tmp = mkdtempSync(join(tmpdir(), "sg-compile-tmp-"));
  dirs.push(dir, tmp);
  mkdirSync(join(dir, "src"));
  mkdirSync(join(dir, "dist"));
  writeFileSync(join(dir, "src/main.ts"), "");
  writeFileSync(join(dir, "bun"), STUB);
  chmodSync(join(dir, "bun"), 0o755);
  return { dir, tmp, env: { PATH: process.env.PATH ?? "", BUN: "bun", TMPDIR: tmp } };
}

const leftovers = (dir: string) =>
  readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".bun-build"));

test("every compile of the Makefile goes through scripts/compile.sh", async () => {
  const makefile = await Bun.file(join(ROOT, "Makefile")).text();
  const recipes = makefile.split("\n").filter((l) => l.startsWith("\t") && l.includes("$(COMPILE_FLAGS)"));
  expect(recipes.length).toBeGreaterThan(0);
  expect(recipes.filter((l) => !l.includes("scripts/compile.sh "))).toEqual([]);
});

test("a finished compile moves the executable into place and leaves no temporary file anywhere", () => {
  const t = tree();
  const run = Bun.spawnSync([SCRIPT, "dist/stanzagate", "src/main.ts", "--compile"], { cwd: t.dir, env: t.env });
  expect({ code: run.exitCode, err: run.stderr.toString() }).toEqual({ code: 0, err: "" });
  expect(existsSync(join(t.dir, "dist/stanzagate"))).toBe(true);
  expect([leftovers(t.dir), readdirSync(t.tmp)]).toEqual([[], []]);
});

const KILLED = "a compile killed part-way (%s) leaves its temporary file neither in the tree nor in TMPDIR";
test.each(["SIGTERM", "SIGINT", "SIGHUP"] as const)(KILLED, async (signal) => {
  const t = tree();
  // Its own process group, as a shell job or CI step is: the signal reaches bun and the script.
  const env = { ...t.env, STUB_BLOCK: "1" };
  const proc = Bun.spawn(["setsid", SCRIPT, "dist/stanzagate", "src/main.ts", "--compile"], { cwd: t.dir, env, stderr: "pipe" });
  const scratch = await waitFor(() => readdirSync(t.tmp).find((d) => d.startsWith("stanzagate-build.")), 10_000, "the scratch directory");
  const temporary = join(t.tmp, scratch, ".stub-00000000.bun-build");
  await waitFor(() => existsSync(temporary), 10_000, "the stand-in's temporary file in the scratch directory");
  process.kill(-proc.pid, signal);
  await proc.exited;
  const left = { tree: leftovers(t.dir), tmp: readdirSync(t.tmp), built: existsSync(join(t.dir, "dist/stanzagate")) };
  expect(left).toEqual({ tree: [], tmp: [], built: false });
});
