/**
 * The Liquid engine every template runs on (https://liquidjs.com), configured for stanzas:
 *
 * - unknown filters are template errors at load (`strictFilters`), not silent no-ops;
 * - every `{{ }}`, `{% echo %}` and `{% cycle %}` value passes through `outputEscape`, which
 *   refuses text XML cannot carry and objects (a value is text, never structure): see template.ts
 *   for why that is enough to keep input out of the markup;
 * - the tags that read files (`include`, `render`, `layout`, `block`) are refused at load, and the
 *   file system is one that has no files, so no template can reach the disk;
 * - `raw` (the filter that would skip `outputEscape`) is replaced by one that does not;
 * - `parse_json` reads JSON text, with the depth bound of request bodies;
 * - `required: "field"` refuses a request whose value is missing (400 INVALID_BODY naming it), so
 *   a template never answers 2xx with a message built from nothing;
 * - a render is bounded in time and memory (`renderLimit`, `memoryLimit`): a huge array costs a
 *   clear 422, never a stuck request.
 */
import { Liquid, Tag, type FS } from "liquidjs";
import { GatewayError } from "../plugin-api/errors.ts";
import { isXmlText } from "../kit/xml-text.ts";
import { parseJson } from "../kit/request-body.ts";

/** Longest a single request's templates may take to render, and the memory they may allocate. */
const RENDER_LIMIT_MS = 1_000;
const MEMORY_LIMIT = 16 * 1024 * 1024;

const NO_FILES: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file) => Promise.reject(new Error(`templates cannot read files (${file})`)),
  readFileSync: (file) => {
    throw new Error(`templates cannot read files (${file})`);
  },
  resolve: (_root, file) => file,
};

const FILE_TAGS = ["include", "render", "layout", "block"];

/** Filters people expect under other names (Liquid has upcase/downcase). */
const EXTRA_FILTERS: Record<string, (value: unknown, ...args: unknown[]) => unknown> = {
  upper: (v) => String(v ?? "").toUpperCase(),
  lower: (v) => String(v ?? "").toLowerCase(),
  // Replaces Liquid's own `raw`, which would bypass outputEscape: here it changes nothing.
  raw: (v) => v,
  parse_json: parseJsonText,
  required: requiredValue,
};

/**
 * A value the message cannot do without, where the body's schema cannot say so (a field one event
 * of a webhook carries and another does not): missing or empty, the request is refused as a body
 * that lacks the field, with the same problem shape as the route's `body:` check.
 */
function requiredValue(value: unknown, field: unknown): unknown {
  if (value !== undefined && value !== null && value !== "") return value;
  throw new GatewayError("INVALID_BODY", undefined, { details: { problems: [{ field: String(field), problem: "required" }] } });
}

/**
 * JSON carried as text (a form's `payload=` field, a JSON string inside JSON) -> the value it
 * holds; a value that is already parsed passes unchanged, so one template serves both.
 */
function parseJsonText(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return parseJson(value);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    throw new GatewayError("PAYLOAD_MISMATCH", "parse_json: the value is not JSON", { details: err.details });
  }
}

/**
 * `escapeText` post-processes each printed value after the text check (bots URL-encode into URLs).
 * `xml: false` leaves out the XML text check, for templates whose output is no XML (an MQTT topic
 * or payload: its escapeText applies that format's own rules).
 */
export function createLiquid(escapeText: (text: string) => string = (text) => text, { xml = true } = {}): Liquid {
  const liquid = new Liquid({
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    lenientIf: true,
    fs: NO_FILES,
    relativeReference: false,
    outputEscape: (value: unknown) => escapeText(toText(value, xml)),
    renderLimit: RENDER_LIMIT_MS,
    memoryLimit: MEMORY_LIMIT,
  });
  for (const [name, fn] of Object.entries(EXTRA_FILTERS)) liquid.registerFilter(name, fn);
  for (const name of FILE_TAGS) liquid.registerTag(name, refusedTag(name));
  return liquid;
}

/** The text one output puts in the stanza; what cannot be text is refused with a reason. */
function toText(value: unknown, xml: boolean): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "object") {
    throw new GatewayError(
      "PAYLOAD_MISMATCH",
      `a value printed by the template is ${Array.isArray(value) ? "a list" : "an object"}: it must be a string, number or boolean (use | join: ", " or | json)`,
    );
  }
  const text = String(value);
  if (xml && !isXmlText(text)) throw new GatewayError("INVALID_XML_TEXT");
  return text;
}

function refusedTag(name: string) {
  return class extends Tag {
    constructor(...args: ConstructorParameters<typeof Tag>) {
      super(...args);
      throw new Error(`{% ${name} %} is not available: a template cannot read files`);
    }
    *render(): Generator<unknown, void, unknown> {}
  };
}
