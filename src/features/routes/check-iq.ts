/**
 * The keys of iq routes (iq-route.ts): `timeout_ms` and `respond:` only mean something
 * when `send:` is an `<iq type="get|set">`, and `respond:` placeholders must read what exists.
 */
import { compileRespond, type CompiledRespond } from "./respond.ts";
import type { PathSegments } from "../../config/diagnostics.ts";
import { pathParams } from "../../http/paths.ts";
import type { RouteChecks } from "../../feature-api.ts";

/** The root element's start tag, read from the source: enough to tell an iq request. */
const IQ_REQUEST = /^\s*<iq\b[^>]*\btype\s*=\s*(["'])(?:get|set)\1/;

export function isIqRequestTemplate(send: unknown): boolean {
  return typeof send === "string" && IQ_REQUEST.test(send);
}

export function checkIqKeys(
  raw: Record<string, unknown>,
  at: PathSegments,
  path: string | undefined,
  c: RouteChecks,
): CompiledRespond | undefined {
  const iq = isIqRequestTemplate(raw.send);
  for (const key of ["timeout_ms", "respond"] as const) {
    if (raw[key] !== undefined && !iq && typeof raw.send === "string") {
      c.diagnostics.push(
        c.locate.at(
          [...at, key],
          `${key} applies only when send: is an <iq type="get"> or <iq type="set"> (the route then answers the iq's reply)`,
        ),
      );
    }
  }
  if (raw.respond === undefined) return undefined;
  const { respond, problems } = compileRespond(raw.respond);
  for (const p of problems) c.diagnostics.push(c.locate.at([...at, "respond", ...p.path], `bad respond template: ${p.message}`));
  const params = path ? pathParams(path) : [];
  for (const expr of respond?.expressions ?? []) {
    const [root, name] = expr.split(".");
    if (root === "params" && path && name !== undefined && !params.includes(name)) {
      c.diagnostics.push(c.locate.at([...at, "respond"], `respond uses {{ ${expr} }} but the path ${path} has no :${name}`));
    }
  }
  return respond;
}
