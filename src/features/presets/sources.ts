/**
 * The presets: ordinary declarative routes (YAML, the same template language as routes.yaml)
 * compiled into the binary as text, so `stanzagate preset NAME` prints exactly what runs. Each is
 * one folder, NAME/ (preset.yaml, about.yaml, fixtures/, golden/: about.ts), registered here by
 * its import and its name in PRESETS, whose order `stanzagate preset` lists them in. (A dynamic
 * `await import()` per line would make that one line, but the bytecode build refuses top-level await.)
 */
import alertmanager from "./alertmanager/preset.yaml" with { type: "text" };
import gitea from "./gitea/preset.yaml" with { type: "text" };
import github from "./github/preset.yaml" with { type: "text" };
import gitlab from "./gitlab/preset.yaml" with { type: "text" };
import grafana from "./grafana/preset.yaml" with { type: "text" };
import uptime_kuma from "./uptime_kuma/preset.yaml" with { type: "text" };

export const PRESETS: Readonly<Record<string, string>> = Object.freeze({ alertmanager, grafana, github, gitea, gitlab, uptime_kuma });

export const PRESET_NAMES = Object.keys(PRESETS);

/** The line of each preset's template that holds its recipients; `to:` replaces its string. */
export const RECIPIENTS = /(\{%-? assign recipients = )"[^"]*"( \| split: " " -?%\})/;
