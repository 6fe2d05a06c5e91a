// The generated part of docs/presets.md: the example routes.yaml, the table of presets and the
// messages their recorded payloads give, all from the preset folders (src/features/presets/NAME/:
// about.yaml, preset.yaml, fixtures/, golden/), so adding a preset adds its row and its example.
// `bun scripts/config-reference.ts --write` writes it; test/unit/readme.test.ts keeps it current.
import { emptyBodyRequires, goldenBody, type PresetFolder, presetFolders } from "../src/features/presets/about.ts";

const XMPP = `xmpp: { server: "xmpp://127.0.0.1:5347", component: gw.example.org, secret: "\${STANZAGATE_SECRET}", host: example.org }`;

/** A YAML flow value: plain where YAML reads it back as the same string, quoted otherwise. */
function flow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(", ")}]`;
  if (value !== null && typeof value === "object")
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${flow(v)}`)
      .join(", ")} }`;
  return typeof value === "string" && /^[A-Za-z_][\w.@/-]*$/.test(value) ? value : JSON.stringify(value);
}

function example(folders: PresetFolder[]): string[] {
  const to = (f: PresetFolder) => (f.about.docs.to.length === 1 ? f.about.docs.to[0] : f.about.docs.to);
  return [
    "```yaml",
    XMPP,
    "auth:",
    ...folders.map((f) => `  ${f.name}: ${flow(f.about.sender.auth)}`),
    "routes:",
    ...folders.map((f) => `  - ${flow({ preset: f.name, auth: f.name, to: to(f) })}`),
    "```",
  ];
}

/** `status` (`firing` or `resolved`), `groupKey`: what preset.yaml's `body:` (or its template) requires. */
function required(f: PresetFolder): string {
  const body = (f.route.body ?? {}) as Record<string, { enum?: unknown[] }>;
  return emptyBodyRequires(f)
    .map((key) => {
      const values = body[key]?.enum;
      return values ? `\`${key}\` (${values.map((v) => `\`${v}\``).join(" or ")})` : `\`${key}\``;
    })
    .join(", ");
}

function table(folders: PresetFolder[]): string[] {
  const cell = (text: string) => text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");
  return [
    "| preset | default path | events | auth to pair it with | required fields |",
    "| --- | --- | --- | --- | --- |",
    ...folders.map(
      (f) => `| \`${f.name}\` | \`${f.route.path}\` | ${cell(f.about.docs.events)} | ${cell(f.about.docs.pair)} | ${required(f)} |`,
    ),
  ];
}

function messages(f: PresetFolder): string[] {
  const { show, note } = f.about.docs;
  const files = show.map((file) => `\`${file}\``).join(", then ");
  const shown = show.flatMap((file) => {
    const body = goldenBody(f, file);
    if (body === null) throw new Error(`${f.name}/about.yaml shows ${file}, whose golden message is none (204)`);
    return ["", "```text", body, "```"];
  });
  return ["", `${f.name} (${files}${note ? `; ${note}` : ""}):`, ...shown];
}

export function presetsSection(): string {
  const folders = presetFolders();
  return [
    ...example(folders),
    "",
    ...table(folders),
    "",
    "What the recorded payloads in each folder's `fixtures/` give (the `<body>`; the tests deliver each",
    "to a real client on Prosody and ejabberd and compare it to the folder's `golden/`):",
    ...folders.flatMap(messages),
  ].join("\n");
}
