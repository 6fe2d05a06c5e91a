// docs/reference.md (the routes.yaml reference) and each plugin README's options table are generated from
// the schemas; this keeps them equal. After changing a schema: bun scripts/config-reference.ts --write
import { expect, test } from "bun:test";
import { join } from "node:path";
import { BUILTIN_PLUGINS } from "../../plugins/index.ts";
import { configReference, GENERATED, pluginOptionsTable, section, withReference } from "../../scripts/config-reference.ts";

test("docs/reference.md lists every routes.yaml key exactly as the schema defines it", async () => {
  const reference = await Bun.file(join(import.meta.dir, "../../docs/reference.md")).text();
  expect(reference).toContain(configReference());
  expect(withReference(reference)).toBe(reference);
});

test.each([...BUILTIN_PLUGINS.keys()])(
  "plugins/%s/README.md lists every option exactly as the plugin's schema defines it",
  async (name) => {
    const readme = await Bun.file(join(import.meta.dir, `../../plugins/${name}/README.md`)).text();
    const plugin = BUILTIN_PLUGINS.get(name);
    if (!plugin) throw new Error(`no plugin ${name}`);
    expect(section(readme, "plugin-options")).toBe(pluginOptionsTable(plugin.options));
  },
);

test("every generated file is up to date (what --write would write is what is there)", async () => {
  for (const { file, regenerate } of GENERATED) {
    const text = await Bun.file(join(import.meta.dir, "../..", file)).text();
    expect({ file, upToDate: regenerate(text) === text }).toEqual({ file, upToDate: true });
  }
});
