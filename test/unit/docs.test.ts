// The README and docs/*.md are tested like code. A YAML block fenced ```yaml is a whole
// routes.yaml and must pass `check`; ```yaml fragment (a piece of one) must pass it in the
// smallest file around it; ```yaml file=NAME (another program's file) must parse. Any other YAML
// fence is a mistake: a new example is checked unless it says otherwise (docs/contributing.md,
// "Examples in the docs").
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { BUILTIN_PLUGINS } from "../../plugins/index.ts";
import { formatDiagnostics } from "../../src/config/diagnostics.ts";
import { loadConfig } from "../../src/features/index.ts";
import { inContext } from "../helpers/doc-fragments.ts";
import { registerForCleanup } from "../../testbed/cleanup.ts";

const ROOT = join(import.meta.dir, "../..");
const FILES = ["README.md", ...[...new Bun.Glob("docs/*.md").scanSync(ROOT)].sort()];

interface Block {
  file: string;
  line: number;
  info: string;
  text: string;
}

/** Every fenced block whose language is yaml, with the rest of its info string. */
function yamlBlocks(file: string, markdown: string): Block[] {
  const blocks: Block[] = [];
  for (const m of markdown.matchAll(/^```yaml([^\n]*)\n([\s\S]*?)^```$/gm)) {
    const line = markdown.slice(0, m.index).split("\n").length;
    blocks.push({ file, line, info: (m[1] ?? "").trim(), text: m[2] ?? "" });
  }
  return blocks;
}

/** A value for each ${VAR} the example reads, long enough for any token or secret. */
function placeholders(yaml: string): Record<string, string> {
  const names = [...yaml.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string);
  return Object.fromEntries(names.map((name) => [name, `placeholder-for-${name.toLowerCase()}-0123456789`]));
}

/**
 * `check` reads the files of http.tls, which an example names on the reader's machine: they are
 * pointed at a throw-away certificate, as ${VAR} at placeholders.
 */
function withTestTls(yaml: string): string {
  if (!/^\s*(cert_file|key_file):/m.test(yaml)) return yaml;
  const dir = mkdtempSync(join(tmpdir(), "stanzagate-docs-tls-"));
  registerForCleanup(dir);
  const [cert, key] = [join(dir, "cert.pem"), join(dir, "key.pem")];
  const made = Bun.spawnSync(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-subj",
      "/CN=docs",
      "-days",
      "1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stderr: "pipe" },
  );
  if (made.exitCode !== 0) throw new Error(`openssl: ${made.stderr.toString()}`);
  return yaml.replace(/^(\s*cert_file:).*$/m, `$1 "${cert}"`).replace(/^(\s*key_file:).*$/m, `$1 "${key}"`);
}

const blocks = (await Promise.all(FILES.map(async (file) => yamlBlocks(file, await Bun.file(join(ROOT, file)).text())))).flat();
const label = (b: Block) => `${b.file}:${b.line}`;

describe("YAML examples in README.md and docs/", () => {
  test("there are whole routes.yaml examples in the README and in docs/", () => {
    const whole = blocks.filter((b) => b.info === "");
    expect(whole.some((b) => b.file === "README.md")).toBe(true);
    expect(new Set(whole.map((b) => b.file)).size).toBeGreaterThan(4);
  });

  test.each(blocks.filter((b) => b.info === "").map((b) => [label(b), b] as const))("%s is a routes.yaml that passes check", (_, block) => {
    const result = loadConfig(block.text, placeholders(block.text), BUILTIN_PLUGINS);
    expect(result.ok ? "ok" : formatDiagnostics(label(block), result.diagnostics)).toBe("ok");
  });

  test.each(blocks.filter((b) => b.info === "fragment").map((b) => [label(b), b] as const))(
    "%s is a piece of a routes.yaml that passes check in the smallest file around it",
    (_, block) => {
      const whole = withTestTls(inContext(block.text));
      const result = loadConfig(whole, placeholders(whole), BUILTIN_PLUGINS);
      expect(result.ok ? "ok" : `${formatDiagnostics(label(block), result.diagnostics)}\n${whole}`).toBe("ok");
    },
  );

  test.each(blocks.filter((b) => b.info !== "" && b.info !== "fragment").map((b) => [label(b), b] as const))(
    "%s is another program's file, and valid YAML",
    (_, block) => {
      expect({ info: block.info, valid: /^file=[\w.-]+$/.test(block.info) }).toEqual({ info: block.info, valid: true });
      // Home Assistant's files read secrets with its own !secret tag.
      expect(() => YAML.parse(block.text, { customTags: [{ tag: "!secret", resolve: (name: string) => name }] })).not.toThrow();
    },
  );
});

test("README.md stays a pitch and a quick start: at most 300 lines", async () => {
  const lines = (await Bun.file(join(ROOT, "README.md")).text()).split("\n").length - 1;
  expect(lines).toBeLessThanOrEqual(300);
});

test("every relative link of README.md and docs/ points at a file of the repository", async () => {
  const broken: string[] = [];
  for (const file of FILES) {
    const text = await Bun.file(join(ROOT, file)).text();
    const dir = join(ROOT, file, "..");
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target as string)) continue;
      const link = `${file}: ${target}`;
      if (!(await Bun.file(join(dir, target as string)).exists())) broken.push(link);
    }
  }
  expect(broken).toEqual([]);
});
