/**
 * `stanzagate preset [NAME]`: a preset's route as a routes[] item, to paste under `routes:` and
 * edit (its recipients are in the template's first line); without NAME, the list of presets.
 * What it prints for a template preset is exactly what `preset: NAME` runs; for a format written
 * in code (ntfy, slack, ...), which has no template, the example entry its route kind declares.
 */
import { PRESETS, PRESET_NAMES } from "./sources.ts";
import { didYouMean } from "../../config/suggest.ts";
import type { CliOutput } from "../../feature-api.ts";

/** `preset: NAME` kinds written in code, by name: their example routes[] entry (feature-shape.ts `example`). */
export type CodeFormats = Readonly<Record<string, string>>;

export function presetCommand(name: string | undefined, io: CliOutput, formats: CodeFormats = {}): number {
  const sources: Record<string, string> = { ...PRESETS, ...formats };
  const names = [...PRESET_NAMES, ...Object.keys(formats)];
  if (name === undefined) {
    for (const n of names) io.out(`${n.padEnd(14)}${firstComment(sources[n] as string)}`);
    return 0;
  }
  const source = sources[name];
  if (source === undefined) {
    io.err(`no preset named "${name}"${didYouMean(name, names)} (known: ${names.join(", ")})`);
    return 2;
  }
  io.out(asListItem(freshSecrets(source)));
  return 0;
}

/**
 * A format whose path is its secret (Slack's, Teams') shows RANDOM_SECRET in its example: each
 * printing gets 128 random bits, so a pasted entry never carries a secret everyone has read.
 */
function freshSecrets(source: string): string {
  return source.replaceAll("RANDOM_SECRET", () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex"));
}

/** The YAML mapping as one item of a list two spaces in: `- ` on its first key. */
function asListItem(source: string): string {
  let first = true;
  return source
    .trimEnd()
    .split("\n")
    .map((line) => {
      if (line === "") return "";
      // A comment above the item sits at the dash; one among its keys, with the keys.
      if (line.startsWith("#")) return `${first ? "  " : "    "}${line}`;
      const prefix = first ? "  - " : "    ";
      first = false;
      return prefix + line;
    })
    .join("\n");
}

function firstComment(source: string): string {
  return /^# (.*)$/m.exec(source)?.[1] ?? "";
}
