// The architecture rules `make deps-rules` (part of `make test`) enforces; docs/contributing.md,
// "Rules the build enforces", says them in words. What is tolerated is listed: file violations in
// .dependency-cruiser-known-violations.json (`make deps-baseline` rewrites it from the tree; empty),
// folder cycles in KNOWN_FOLDER_CYCLES below. Any other violation fails the build.

/** The plugin contract: its types, `definePlugin`, the ports' types and the shared error catalogue. */
const CONTRACT = ["^src/plugin-api/"];

/** The kit: helpers plugins, features and the core share (JIDs, bounded readers, limiter, stanza errors...). */
const KIT = ["^src/kit/"];

/** The HTTP side: the front door, the features (routes, endpoints), the HTTP entry files, and the HTTP libraries. */
const HTTP = [
  "^src/http/",
  "^src/features/",
  "^src/(app|generation)[.]ts$",
  "^plugins/",
  "(^|/)node_modules/elysia/",
  "^(http|https|http2)$",
];

/**
 * What connects, listens or opens the store. node:net stays allowed: config checks use its pure
 * isIP() (dependency-cruiser sees modules, not the names imported); @xmpp/xml only builds XML.
 */
const CONNECTS = [
  "^src/xmpp/",
  "^src/store/",
  "^src/(main|app|core|generation|reload|feature-api)[.]ts$",
  "^src/http/server[.]ts$",
  "^src/features/",
  "^src/cli/",
  "^plugins/",
  "(^|/)node_modules/@xmpp/(?!xml/)",
  "(^|/)node_modules/mqtt/",
  "^src/mqtt/(connection|view|broker-filters|options|receive)[.]ts$",
  "(^|/)node_modules/elysia/",
  "^(tls|http|https|http2|dgram|dns)$",
  "^bun:sqlite$",
];

/**
 * Known folder cycles: each folder, and the folders it imports as part of a cycle. Here rather
 * than in the known-violations file because dependency-cruiser applies that file to files only.
 * None today: keep it so.
 */
const KNOWN_FOLDER_CYCLES = {};

const exactly = (folders) => folders.map((folder) => `^${folder}$`);

/** One folder-cycle rule for the folders with no known cycle, one per folder that has some. */
function folderCycleRules() {
  const rule = (from, to) => ({
    name: "no-folder-cycles",
    comment: "No two folders import each other, directly or round a loop: a folder is a unit one can read and move alone.",
    severity: "error",
    scope: "folder",
    from,
    to: { circular: true, ...to },
  });
  return [
    rule({ pathNot: exactly(Object.keys(KNOWN_FOLDER_CYCLES)) }, {}),
    ...Object.entries(KNOWN_FOLDER_CYCLES).map(([from, to]) => rule({ path: exactly([from]) }, { pathNot: exactly(to) })),
  ];
}

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "No import cycle between files, type imports included: a cycle makes load order and reading order matter.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    ...folderCycleRules(),
    {
      name: "plugins-only-contract",
      comment: "A plugin imports from src/ only the plugin contract and the kit, never engine internals (docs/plugins.md).",
      severity: "error",
      from: { path: "^plugins/" },
      to: { path: "^src/", pathNot: [...CONTRACT, ...KIT] },
    },
    {
      name: "plugins-no-raw-store",
      comment: "Plugins keep their data through the contract's keyed store, never the database itself.",
      severity: "error",
      from: { path: "^plugins/" },
      to: { path: "^bun:sqlite$" },
    },
    {
      name: "no-plugin-to-plugin",
      comment: "A plugin imports no other plugin: each folder under plugins/ stands alone.",
      severity: "error",
      from: { path: "^plugins/([^/]+)/" },
      to: { path: "^plugins/", pathNot: "^plugins/$1/" },
    },
    {
      name: "no-feature-to-feature",
      comment: "A feature imports no other feature: each folder under src/features/ (each auth kind's too) stands alone, as a plugin does.",
      severity: "error",
      from: { path: "^src/features/((?:auth/)?[^/]+)/" },
      to: { path: "^src/features/", pathNot: "^src/features/$1/" },
    },
    {
      name: "contract-stands-alone",
      comment: "The contract imports nothing of src/ but itself (the catalogue included): no engine internals, and no helpers re-exported from the kit.",
      severity: "error",
      from: { path: CONTRACT },
      to: { path: "^src/", pathNot: CONTRACT },
    },
    {
      name: "kit-stands-alone",
      comment: "The kit imports nothing of the engine: only itself and the contract's types and catalogue, so a plugin importing it gets no internals.",
      severity: "error",
      from: { path: KIT },
      to: { path: "^src/", pathNot: [...KIT, ...CONTRACT] },
    },
    {
      name: "core-takes-types-from-contract",
      comment: "The engine implements the contract's types and takes its helpers from the kit: of the contract it imports values from the error catalogue only.",
      severity: "error",
      from: { path: "^src/", pathNot: [...CONTRACT, ...KIT] },
      to: { path: "^src/plugin-api/", pathNot: "^src/plugin-api/errors[.]ts$", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "xmpp-link-no-http",
      comment: "The XMPP link (src/xmpp/) reaches nothing of HTTP, even through another module.",
      severity: "error",
      from: { path: "^src/xmpp/" },
      to: { reachable: true, path: HTTP },
    },
    {
      name: "config-never-connects",
      comment: "Config checking (src/config/) reaches nothing that connects, listens or opens the store: `check` runs anywhere.",
      severity: "error",
      from: { path: "^src/config/" },
      to: { reachable: true, path: CONNECTS },
    },
    {
      name: "mqtt-on-demand",
      comment: "mqtt.js is loaded only when routes.yaml has an mqtt: section: outside src/mqtt/ the connection is imported dynamically (generation/mqtt.ts) or for its types (issue 24's idle memory).",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/mqtt/" },
      to: { path: ["^src/mqtt/(connection|view|broker-filters|options|receive)[.]ts$", "(^|/)node_modules/mqtt/"], dependencyTypesNot: ["dynamic-import", "type-only"] },
    },
    {
      name: "not-to-unresolvable",
      comment: "Every import resolves: an import the tool cannot follow would be a hole in every rule above.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports count: a cycle through types still ties the files together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "(^|/)node_modules/" },
    // Packages that name their files only in `exports` (memoirist has no `main`) resolve too.
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
    builtInModules: { add: ["bun", "bun:sqlite", "bun:test", "bun:jsc", "bun:ffi"] },
    progress: { type: "none" },
  },
};
