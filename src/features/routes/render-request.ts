/**
 * One request of a declarative route -> the stanzas it sends, without sending them: used by the
 * HTTP handler (handler.ts) and by `stanzagate render`, so both say exactly the same thing.
 */
import { Element } from "ltx";
import type { DeclarativeRouteConfig } from "./types.ts";
import { GatewayError } from "../../plugin-api/errors.ts";
import type { TemplateScope } from "../../templates/scope.ts";

export interface Rendered {
  /** `when:` was false: nothing to send (204). */
  skipped: boolean;
  stanzas: Element[];
  /** How many stanzas past max_stanzas were replaced by the summary. */
  cut: number;
}

/** What rendering reads of a route: a declarative route's, or an MQTT route's (mqtt-handler.ts). */
type Renders = Pick<DeclarativeRouteConfig, "when" | "templates" | "strict" | "maxStanzas">;

export function renderRequest(route: Renders, scope: TemplateScope, ids: { component: string; newId(): string }): Rendered {
  const options = { strict: route.strict };
  if (route.when && !route.when.test(scope, options)) return { skipped: true, stanzas: [], cut: 0 };
  const all = route.templates.flatMap((t) => t.renderAll(scope, options));
  const { stanzas, cut } = capped(all, route.maxStanzas);
  stanzas.forEach((stanza, i) => {
    stanza.attrs.from ??= ids.component;
    stanza.attrs.id ??= i === 0 && typeof scope.id === "string" ? scope.id : ids.newId();
  });
  return { skipped: false, stanzas, cut };
}

/**
 * Past `max`, the last stanza sent says how many were left out, to the recipient of the first
 * one left out: never a silent truncation. Only a message can say it; for presence or iq the
 * request is refused as a whole before anything is sent.
 */
function capped(all: Element[], max: number): { stanzas: Element[]; cut: number } {
  if (all.length <= max) return { stanzas: all, cut: 0 };
  const first = all[max - 1] as Element;
  const cut = all.length - (max - 1);
  if (first.name !== "message") {
    throw new GatewayError("PAYLOAD_MISMATCH", `This request would send ${all.length} stanzas, more than max_stanzas (${max})`, {
      details: { stanzas: all.length, max_stanzas: max },
    });
  }
  const summary = new Element("message", pick(first.attrs, ["to", "type", "from"]));
  summary.c("body").t(`… and ${cut} more (max_stanzas: ${max})`);
  return { stanzas: [...all.slice(0, max - 1), summary], cut };
}

function pick(attrs: Record<string, string | undefined>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.filter((n) => attrs[n] !== undefined).map((n) => [n, attrs[n] as string]));
}
