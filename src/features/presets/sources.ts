/**
 * The presets: ordinary declarative routes (YAML, the same template language as routes.yaml)
 * compiled into the binary as text, so `stanzagate preset NAME` prints exactly what runs.
 */
import alertmanager from "./alertmanager.yaml" with { type: "text" };
import gitea from "./gitea.yaml" with { type: "text" };
import github from "./github.yaml" with { type: "text" };
import grafana from "./grafana.yaml" with { type: "text" };
import uptimeKuma from "./uptime_kuma.yaml" with { type: "text" };

export const PRESETS: Readonly<Record<string, string>> = Object.freeze({
  alertmanager,
  grafana,
  github,
  gitea,
  uptime_kuma: uptimeKuma,
});

export const PRESET_NAMES = Object.keys(PRESETS);

/** The line of each preset's template that holds its recipients; `to:` replaces its string. */
export const RECIPIENTS = /(\{%-? assign recipients = )"[^"]*"( \| split: " " -?%\})/;
