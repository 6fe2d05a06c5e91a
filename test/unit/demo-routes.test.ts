// The demo's routes.yaml is the user's once written: `make demo` keeps it, `make demo-reset`
// (DEMO_RESET=1) writes the demo's own again. It reads what changes at each run from the
// environment, so a kept file works at the next run.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILTIN_PLUGINS } from "../../plugins/index.ts";
import { loadConfig } from "../../src/features/index.ts";
import { formatDiagnostics } from "../../src/config/diagnostics.ts";
import { demoRoutes, writeRoutesFile } from "../../scripts/demo-config.ts";

const DEMO = demoRoutes((name) => BUILTIN_PLUGINS.has(name));
const EDITED = `${DEMO}# the user's line\n`;
let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "demo-routes-"));
  file = join(dir, "routes.yaml");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("the demo's routes.yaml passes check with the variables the demo sets", () => {
  const env = {
    DEMO_COMPONENT_PORT: "5347",
    DEMO_C2S_PORT: "5222",
    DEMO_SECRET: "s",
    DEMO_HTTP_PORT: "5280",
    DEMO_APPS: "http://127.0.0.1:9",
  };
  const result = loadConfig(DEMO, env, BUILTIN_PLUGINS);
  expect(result.ok ? "ok" : formatDiagnostics("demo routes.yaml", result.diagnostics)).toBe("ok");
});

test("it passes check without them too, as `stanzagate check` in another terminal reads it", () => {
  const result = loadConfig(DEMO, {}, BUILTIN_PLUGINS);
  expect(result.ok ? "ok" : formatDiagnostics("demo routes.yaml", result.diagnostics)).toBe("ok");
});

test("a missing file is written", () => {
  expect(writeRoutesFile(file, DEMO, false)).toBe("written");
  expect(readFileSync(file, "utf8")).toBe(DEMO);
});

test("the user's file is kept as it is", () => {
  writeFileSync(file, EDITED);
  expect(writeRoutesFile(file, DEMO, false)).toBe("kept");
  expect(readFileSync(file, "utf8")).toBe(EDITED);
});

test("a reset writes the demo's own over the user's", () => {
  writeFileSync(file, EDITED);
  expect(writeRoutesFile(file, DEMO, true)).toBe("written");
  expect(readFileSync(file, "utf8")).toBe(DEMO);
});

test("a file from a demo that wrote its run's ports in it is set aside as routes.yaml.old", () => {
  const old = "xmpp:\n  server: xmpp://127.0.0.1:40123\n";
  writeFileSync(file, old);
  expect(writeRoutesFile(file, DEMO, false)).toBe("replaced");
  expect(readFileSync(file, "utf8")).toBe(DEMO);
  expect(existsSync(`${file}.old`) && readFileSync(`${file}.old`, "utf8")).toBe(old);
});
