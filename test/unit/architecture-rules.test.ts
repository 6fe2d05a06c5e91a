// The architecture rules of .dependency-cruiser.cjs (`make deps-rules`), each shown catching the
// import it forbids, and letting through the imports it allows. A rule whose pattern is wrong
// passes every tree silently, so each one is tried here on a small tree of its own.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const ROOT = join(import.meta.dir, "../..");

/** Each file of the tree and its imports; the tree obeys every rule except where a test says. */
const TREE: Record<string, string> = {
  "tsconfig.json": JSON.stringify({
    compilerOptions: { module: "Preserve", moduleResolution: "bundler", allowImportingTsExtensions: true, noEmit: true },
  }),
  "node_modules/elysia/package.json": JSON.stringify({ name: "elysia", main: "index.js" }),
  "node_modules/elysia/index.js": "module.exports = {};",
  "node_modules/@xmpp/xml/package.json": JSON.stringify({ name: "@xmpp/xml", main: "index.js" }),
  "node_modules/@xmpp/xml/index.js": "module.exports = {};",
  "node_modules/@xmpp/component-core/package.json": JSON.stringify({ name: "@xmpp/component-core", main: "index.js" }),
  "node_modules/@xmpp/component-core/index.js": "module.exports = {};",
  "node_modules/mqtt/package.json": JSON.stringify({ name: "mqtt", main: "index.js" }),
  "node_modules/mqtt/index.js": "module.exports = {};",
  // mqtt.js and the broker connection: loaded on demand (allowed), never by a static import outside src/mqtt/ (refused).
  "src/mqtt/connection.ts": 'import mqtt from "mqtt";\nexport const connection = mqtt;',
  "src/generation/mqtt.ts": 'export const load = () => import("../mqtt/connection.ts");',
  "src/wire.ts": 'import { connection } from "./mqtt/connection.ts";\nimport mqtt from "mqtt";\nexport const wire = [connection, mqtt];',
  "src/log.ts": "export const log = 1;",
  "src/plugin-api/errors.ts": "export const ERRORS = {};",
  "src/plugin-api/ports.ts": "export type Port = { name: string };",
  "src/plugin-api/index.ts": [
    'import { ERRORS } from "./errors.ts";',
    'import type { Port } from "./ports.ts";',
    'import { route } from "../http/app.ts";',
    'import { jid } from "../kit/jid.ts";',
    "export { ERRORS, jid, route, type Port };",
  ].join("\n"),
  "src/kit/jid.ts":
    'import { ERRORS } from "../plugin-api/errors.ts";\nimport type { Port } from "../plugin-api/ports.ts";\nexport const jid: Port | object = ERRORS;',
  "src/kit/limiter.ts": 'import { log } from "../log.ts";\nimport { jid } from "./jid.ts";\nexport const limiter = [log, jid];',
  "src/config/schema.ts": "export const schema = 1;",
  // The engine implements the contract's types (allowed), takes the catalogue's values (allowed) and no other value of it (refused).
  "src/store/keyed.ts": [
    'import type { Port } from "../plugin-api/ports.ts";',
    'import { ERRORS as SHARED } from "../plugin-api/errors.ts";',
    'import { ERRORS } from "../plugin-api/index.ts";',
    "export const keyed: Port | object = [SHARED, ERRORS];",
  ].join("\n"),
  "src/http/app.ts": "export const route = 1;",
  // src/kit <-> src/config: a folder cycle (none is known).
  "src/kit/texts.ts": 'import { schema } from "../config/schema.ts";\nexport const texts = schema;',
  "src/config/check.ts": [
    'import xml from "@xmpp/xml";',
    'import { link } from "../xmpp/link.ts";',
    'import { Component } from "@xmpp/component-core";',
    'import { texts } from "../kit/texts.ts";',
    "export const check = [xml, link, Component, texts];",
  ].join("\n"),
  "src/relay.ts": 'import { route } from "./http/app.ts";\nexport const relay = route;',
  // A feature may import what is outside src/features/ and its own files, never another feature's.
  "src/features/one/index.ts": 'import { own } from "./own.ts";\nimport { two } from "../two/inside.ts";\nexport const one = [own, two];',
  "src/features/one/own.ts": 'import { log } from "../../log.ts";\nexport const own = log;',
  "src/features/two/inside.ts": "export const two = 2;",
  "src/features/auth/a/index.ts": 'import { b } from "../b/index.ts";\nexport const a = b;',
  "src/features/auth/b/index.ts": "export const b = 1;",
  "src/xmpp/link.ts":
    'import { log } from "../log.ts";\nimport { relay } from "../relay.ts";\nimport Elysia from "elysia";\nexport const link = [log, relay, Elysia];',
  "src/a.ts": 'import type { B } from "./b.ts";\nexport type A = { b?: B };',
  "src/b.ts": 'import type { A } from "./a.ts";\nexport type B = { a?: A };',
  "src/alpha/a.ts": 'import { b } from "../beta/b.ts";\nexport const a = b;',
  "src/beta/b.ts": 'import { a } from "../alpha/a.ts";\nexport const b = a;',
  "src/lost.ts": 'import { gone } from "./gone.ts";\nexport const lost = gone;',
  "plugins/one/index.ts": [
    'import { jid } from "../../src/plugin-api/index.ts";',
    'import { limiter } from "../../src/kit/limiter.ts";',
    'import { route } from "../../src/http/app.ts";',
    'import { two } from "../two/index.ts";',
    'import { Database } from "bun:sqlite";',
    "export default [jid, limiter, route, two, Database];",
  ].join("\n"),
  "plugins/two/index.ts":
    'import { jid } from "../../src/kit/jid.ts";\nimport { ERRORS } from "../../src/plugin-api/errors.ts";\nexport const two = [jid, ERRORS];',
};

let dir = "";
let found: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sg-rules-"));
  for (const [file, text] of Object.entries(TREE)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  const run = Bun.spawnSync(
    [
      join(ROOT, "node_modules/.bin/depcruise"),
      "--config",
      join(ROOT, ".dependency-cruiser.cjs"),
      "--output-type",
      "json",
      "src",
      "plugins",
    ],
    { cwd: dir },
  );
  const result = JSON.parse(run.stdout.toString()) as {
    summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> };
  };
  found = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
  // One run of dependency-cruiser takes about a second, several on a busy shared machine.
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the build refuses, each with the violations it reports on TREE: rule: from -> to. */
const REFUSED: Array<[string, string[]]> = [
  [
    "an import cycle between files, even through type imports",
    ["no-cycles: src/a.ts -> src/b.ts", "no-cycles: src/alpha/a.ts -> src/beta/b.ts"],
  ],
  ["two folders importing each other", ["no-folder-cycles: src/alpha -> src/beta", "no-folder-cycles: src/beta -> src/alpha"]],
  [
    "a new edge closing a cycle through a folder with known cycles",
    ["no-folder-cycles: src/kit -> src/config", "no-folder-cycles: src/config -> src/kit"],
  ],
  [
    "a feature importing another feature, an auth kind another auth kind",
    [
      "no-feature-to-feature: src/features/one/index.ts -> src/features/two/inside.ts",
      "no-feature-to-feature: src/features/auth/a/index.ts -> src/features/auth/b/index.ts",
    ],
  ],
  ["a plugin importing anything of src/ but the contract and the kit", ["plugins-only-contract: plugins/one/index.ts -> src/http/app.ts"]],
  ["a plugin opening the database itself", ["plugins-no-raw-store: plugins/one/index.ts -> bun:sqlite"]],
  ["a plugin importing another plugin", ["no-plugin-to-plugin: plugins/one/index.ts -> plugins/two/index.ts"]],
  ["the contract importing engine internals", ["contract-stands-alone: src/plugin-api/index.ts -> src/http/app.ts"]],
  [
    "the contract re-exporting the kit's helpers",
    [
      "contract-stands-alone: src/plugin-api/index.ts -> src/kit/jid.ts",
      // ... which ties the contract and the kit into a loop of folders, the kit using the catalogue.
      "no-folder-cycles: src/kit -> src/plugin-api",
      "no-folder-cycles: src/plugin-api -> src/kit",
    ],
  ],
  [
    "the kit importing anything of the engine",
    ["kit-stands-alone: src/kit/limiter.ts -> src/log.ts", "kit-stands-alone: src/kit/texts.ts -> src/config/schema.ts"],
  ],
  [
    "the engine importing a value (a helper) from the contract",
    ["core-takes-types-from-contract: src/store/keyed.ts -> src/plugin-api/index.ts"],
  ],
  [
    "the XMPP link reaching HTTP code or an HTTP library, even through another module",
    ["xmpp-link-no-http: src/xmpp/link.ts -> src/http/app.ts", "xmpp-link-no-http: src/xmpp/link.ts -> node_modules/elysia/index.js"],
  ],
  [
    // Elysia too: config reaches it through the link.
    "config checking reaching the link, an XMPP connection or HTTP",
    [
      "config-never-connects: src/config/check.ts -> src/xmpp/link.ts",
      "config-never-connects: src/config/check.ts -> node_modules/@xmpp/component-core/index.js",
      "config-never-connects: src/config/check.ts -> node_modules/elysia/index.js",
    ],
  ],
  [
    "mqtt.js or the broker connection imported outside src/mqtt/ other than on demand",
    ["mqtt-on-demand: src/wire.ts -> src/mqtt/connection.ts", "mqtt-on-demand: src/wire.ts -> node_modules/mqtt/index.js"],
  ],
  ["an import that does not resolve", ["not-to-unresolvable: src/lost.ts -> ./gone.ts"]],
];

describe("the build refuses", () => {
  for (const [what, violations] of REFUSED) {
    test(what, () => {
      for (const violation of violations) expect(found).toContain(violation);
    });
  }
});

test("the build lets through the contract, the catalogue, the kit, @xmpp/xml and the known folder cycles, and nothing else", () => {
  expect(found.sort()).toEqual(REFUSED.flatMap(([, violations]) => violations).sort());
});
