// The README's routes.yaml reference is generated from the schemas; this keeps them equal.
// After changing a schema: bun scripts/config-reference.ts --write
import { expect, test } from "bun:test";
import { join } from "node:path";
import { configReference, withReference } from "../../scripts/config-reference.ts";

test("README.md lists every routes.yaml key exactly as the schema defines it", async () => {
  const readme = await Bun.file(join(import.meta.dir, "../../README.md")).text();
  expect(readme).toContain(configReference());
  expect(withReference(readme)).toBe(readme);
});

test("every complete routes.yaml example in README.md passes check", async () => {
  const { loadConfig } = await import("../../src/config/load.ts");
  const { BUILTIN_PLUGINS } = await import("../../plugins/index.ts");
  const { formatDiagnostics } = await import("../../src/config/diagnostics.ts");
  const readme = await Bun.file(join(import.meta.dir, "../../README.md")).text();
  const examples = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "").filter((y) => /^xmpp:/m.test(y) && /^routes:/m.test(y));
  expect(examples.length).toBeGreaterThan(0);
  for (const yaml of examples) {
    const result = loadConfig(yaml, { STANZAGATE_SECRET: "x" }, BUILTIN_PLUGINS);
    expect(result.ok ? "ok" : formatDiagnostics("README example", result.diagnostics)).toBe("ok");
  }
});
