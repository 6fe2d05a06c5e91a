/**
 * What a template can read, built once per request, and checked before any rendering: a string
 * (or an object key) that XML cannot carry is refused here with the exact field that holds it,
 * which is also what keeps the element boundaries of template.ts out of reach of input.
 */
import { GatewayError } from "../plugin-api/errors.ts";
import { isXmlText } from "../kit/xml-text.ts";

/** The roots: `{{ params.room }}`, `{{ body.alerts[0].labels.alertname }}`, `{{ headers["x-github-event"] }}`... */
export const TEMPLATE_ROOTS = ["params", "query", "body", "headers", "user", "id"] as const;
export type TemplateScope = Partial<Record<(typeof TEMPLATE_ROOTS)[number], unknown>>;

/** Credentials never reach a template (a route could otherwise send them to a chat). */
const HIDDEN_HEADERS = new Set(["authorization", "proxy-authorization", "cookie"]);

/** Request headers by lower-cased name (the Fetch API lower-cases them), credentials left out. */
export function headersOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) if (!HIDDEN_HEADERS.has(name)) out[name] = value;
  return out;
}

/** Where a value sits in the scope: its parent and its key, so that a path is spelled only for the field refused. */
interface Place {
  parent: Place | undefined;
  key: string | number;
}

/**
 * Throws 400 INVALID_XML_TEXT naming the first field (`body.alerts[2].labels.x`) whose text or
 * key XML cannot carry. Iterative, so no payload depth can overflow the stack. Every request of a
 * templated route passes here with all its headers: the common case is a walk that only tests,
 * and only a scope that fails is walked again with the places that name the field.
 */
export function checkScopeText(scope: TemplateScope): void {
  if (!allXmlText(scope)) placeFirstBadText(scope);
}

/** Whether every text and every key below the scope's own keys is text XML can carry. */
function allXmlText(scope: TemplateScope): boolean {
  const stack: unknown[] = Object.values(scope);
  for (let value = stack.pop(); stack.length > 0 || value !== undefined; value = stack.pop()) {
    if (typeof value === "string") {
      if (!isXmlText(value)) return false;
    } else if (Array.isArray(value)) {
      for (const v of value) stack.push(v);
    } else if (value !== null && typeof value === "object") {
      const fields = value as Record<string, unknown>;
      for (const k of Object.keys(fields)) {
        if (!isXmlText(k)) return false;
        stack.push(fields[k]);
      }
    }
  }
  return true;
}

/** The walk with places: throws for the first field found. */
function placeFirstBadText(scope: TemplateScope): void {
  const stack: Array<[unknown, Place]> = Object.entries(scope).map(([k, v]) => [v, { parent: undefined, key: k }]);
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [value, place] = next;
    if (typeof value === "string") {
      if (!isXmlText(value)) throw new GatewayError("INVALID_XML_TEXT", undefined, { details: { field: pathOf(place) } });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => void stack.push([v, { parent: place, key: i }]));
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        if (!isXmlText(k))
          throw new GatewayError("INVALID_XML_TEXT", "A field name contains characters that XML cannot carry", {
            details: { field: pathOf(place) },
          });
        stack.push([v, { parent: place, key: k }]);
      }
    }
  }
}

/** `body.alerts[2].labels.x`, `headers["x-github-event"]`: as a template would read the field. */
function pathOf(place: Place): string {
  let path = "";
  for (let at: Place | undefined = place; at; at = at.parent) {
    const { key } = at;
    if (!at.parent) path = String(key) + path;
    else if (typeof key === "number") path = `[${key}]${path}`;
    else path = (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`) + path;
  }
  return path;
}
