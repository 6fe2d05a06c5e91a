/**
 * What a bot's commands (check.ts) and its jobs (check-jobs.ts) both check: `send:`
 * items, `http:` calls and text templates, each problem placed in routes.yaml.
 */
import { isRecord } from "../../kit/bounded.ts";
import { parseJid } from "../../kit/jid.ts";
import { ROOTS, type CompiledHttp } from "./compiled.ts";
import { BotTemplateError, compileText, compileUrl, type TextTemplate } from "./text-template.ts";
import { compileMessage, compileNotice, type StanzaTemplate } from "./stanza-template.ts";
import type { Diagnostic, PathSegments, SourceLocator } from "../../config/diagnostics.ts";

export interface BotChecks {
  component: string | undefined;
  locate: SourceLocator;
  diagnostics: Diagnostic[];
  /** What `check` prints without stopping the start (a payload that writes JSON unescaped). */
  warnings: Diagnostic[];
  /** The stanza claims of routes (RouteChecks.claimed, filled by the route kinds), which bots join: `local part "x"`. */
  claimed: Map<string, { route: string; line: number; col: number }>;
  /** http.public_url is set, so files can be linked to: a command that attaches (`attach:`) needs it. */
  attachments: boolean;
  /** routes.yaml has an `mqtt:` section: a command that publishes or a job that watches a topic needs it. */
  mqtt: boolean;
}

/** A `send:` item: `{ to, text }` (to a literal JID) or a `<message>` template. */
export function checkSend(
  item: unknown,
  bot: string,
  at: PathSegments,
  c: BotChecks,
  roots: readonly string[] = ROOTS.send,
): StanzaTemplate | undefined {
  if (typeof item === "string") return message(item, roots, bot, at, c);
  if (!isRecord(item) || typeof item.to !== "string" || typeof item.text !== "string") return undefined;
  if (!parseJid(item.to)) return fail(c, [...at, "to"], `expected a JID, found ${JSON.stringify(item.to)}`);
  const body = text(item.text, roots, [...at, "text"], c);
  return body && compileNotice(item.to, body, bot);
}

export function message(source: string, roots: readonly string[], bot: string, at: PathSegments, c: BotChecks): StanzaTemplate | undefined {
  try {
    return compileMessage(source, roots, bot);
  } catch (err) {
    return report(err, at, c);
  }
}

export function checkHttp(
  http: Record<string, unknown>,
  at: PathSegments,
  c: BotChecks,
  roots: readonly string[] = ROOTS.request,
): CompiledHttp | undefined {
  let url: TextTemplate | undefined;
  // A URL not starting with http(s):// is the schema's to report.
  if (typeof http.url === "string" && /^https?:\/\//i.test(http.url)) {
    try {
      url = compileUrl(http.url, roots);
    } catch (err) {
      report(err, [...at, "url"], c);
    }
  }
  const headers = Object.entries(isRecord(http.headers) ? http.headers : {}).map(
    ([name, v]) => [name, typeof v === "string" ? text(v, roots, [...at, "headers", name], c) : undefined] as const,
  );
  const body = typeof http.body === "string" ? text(http.body, roots, [...at, "body"], c) : undefined;
  if (!url || headers.some(([, t]) => !t) || (http.body !== undefined && !body)) return undefined;
  return {
    method: typeof http.method === "string" ? http.method : "GET",
    url,
    body,
    headers: headers.map(([n, t]) => [n, t as TextTemplate] as const),
    timeoutMs: typeof http.timeout_ms === "number" ? http.timeout_ms : 5_000,
    maxBytes: typeof http.max_answer_bytes === "number" ? http.max_answer_bytes : 1_048_576,
  };
}

export function text(source: string, roots: readonly string[], at: PathSegments, c: BotChecks): TextTemplate | undefined {
  try {
    return compileText(source, roots);
  } catch (err) {
    return report(err, at, c);
  }
}

function report(err: unknown, at: PathSegments, c: BotChecks): undefined {
  if (!(err instanceof BotTemplateError)) throw err;
  for (const p of err.problems) c.diagnostics.push(c.locate.inValue(at, `bad template: ${p.message}`, p.offset));
  return undefined;
}

export function fail(c: BotChecks, at: PathSegments, message: string): undefined {
  c.diagnostics.push(c.locate.at(at, message));
  return undefined;
}
