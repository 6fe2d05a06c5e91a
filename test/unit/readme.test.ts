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
