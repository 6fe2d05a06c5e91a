/**
 * `stanzagate preset [NAME]`: a preset's route as a routes[] item, to paste under `routes:` and
 * edit (its recipients are in the template's first line); without NAME, the list of presets.
 * What it prints is exactly what `preset: NAME` runs, the user's path, auth and to put in.
 */
import { PRESETS, PRESET_NAMES } from "./sources.ts";
import { didYouMean } from "../../config/suggest.ts";
import type { CliOutput } from "../../feature-api.ts";

export function presetCommand(name: string | undefined, io: CliOutput): number {
  if (name === undefined) {
    for (const n of PRESET_NAMES) io.out(`${n.padEnd(14)}${firstComment(PRESETS[n] as string)}`);
    return 0;
  }
  const source = PRESETS[name];
  if (source === undefined) {
    io.err(`no preset named "${name}"${didYouMean(name, PRESET_NAMES)} (known: ${PRESET_NAMES.join(", ")})`);
    return 2;
  }
  io.out(asListItem(source));
  return 0;
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
