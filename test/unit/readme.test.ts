// The README's routes.yaml reference is generated from the schemas; this keeps them equal.
// After changing a schema: bun scripts/config-reference.ts, and paste it between the markers.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { configReference } from "../../scripts/config-reference.ts";

test("README.md lists every routes.yaml key exactly as the schema defines it", async () => {
  const readme = await Bun.file(join(import.meta.dir, "../../README.md")).text();
  const between = readme.split("<!-- config-reference:start -->\n")[1]?.split("\n<!-- config-reference:end -->")[0];
  expect(between).toBe(configReference());
});
