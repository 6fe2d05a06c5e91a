/**
 * What each preset's folder says of itself besides its route: about.yaml (its row, example and
 * messages in docs/presets.md; how a sender authenticates and names its events) and its recorded
 * payloads (fixtures/EVENT[-variant].json) with their golden messages (golden/*.expected). Read by
 * the tests and scripts/presets-doc.ts, never by the gateway: the binary carries only preset.yaml.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { parse } from "yaml";
import { PRESETS, PRESET_NAMES } from "./sources.ts";

const Text = (description: string) => Type.String({ minLength: 1, description });

const AboutSchema = Type.Object(
  {
    docs: Type.Object(
      {
        events: Text("The table's `events` cell (Markdown): what the source sends and what each gives."),
        pair: Text("The table's `auth to pair it with` cell (Markdown)."),
        to: Type.Array(Text("A recipient"), { minItems: 1, description: "The example route's `to:`." }),
        show: Type.Array(Text("A file of fixtures/"), { minItems: 1, description: "The payloads whose messages the docs show." }),
        note: Type.Optional(Text("Said after the file names above the messages.")),
      },
      { additionalProperties: false },
    ),
    sender: Type.Object(
      {
        event_header: Type.Optional(Text("The header naming the event: a fixture's name up to its first - or . is its value.")),
        events: Type.Optional(Type.Record(Type.String(), Type.String(), { description: "A fixture's event name -> the header's value." })),
        auth: Type.Record(Type.String(), Type.Unknown(), {
          description: "The auth scheme to pair it with, as in routes.yaml; each ${VAR} is the secret.",
        }),
        sends: Type.Record(Type.String(), Type.String(), {
          description: "The headers the sender adds: {secret} is the secret, {hmac} the hex HMAC-SHA256 of the body under it.",
        }),
      },
      { additionalProperties: false },
    ),
    tests: Type.Optional(
      Type.Object(
        {
          event_requires: Type.Optional(
            Type.Record(Type.String(), Type.String(), {
              description: "An event -> its first own field: a body with only what `body:` requires is 400 naming it.",
            }),
          ),
          empty_body_requires: Type.Optional(
            Type.Array(Type.String(), {
              description: "The fields an empty JSON object is refused naming when the template requires them, not `body:`.",
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

type About = Static<typeof AboutSchema>;

/** The route keys of preset.yaml the docs and tests read. */
interface PresetRoute {
  path: string;
  body?: Record<string, unknown>;
}

export interface PresetFolder {
  name: string;
  dir: string;
  route: PresetRoute;
  about: About;
  /** fixtures/*.json, sorted. */
  fixtures: string[];
}

/** Every registered preset's folder, in the order sources.ts lists them. */
export function presetFolders(): PresetFolder[] {
  return PRESET_NAMES.map((name) => {
    const dir = join(import.meta.dir, name);
    const about: unknown = parse(readFileSync(join(dir, "about.yaml"), "utf8"));
    if (!Value.Check(AboutSchema, about)) {
      const first = [...Value.Errors(AboutSchema, about)][0];
      throw new Error(`${name}/about.yaml: ${first?.path ?? ""} ${first?.message ?? "invalid"}`);
    }
    const fixtures = readdirSync(join(dir, "fixtures"))
      .filter((f) => f.endsWith(".json"))
      .sort();
    return { name, dir, route: parse(PRESETS[name] as string) as PresetRoute, about, fixtures };
  });
}

/** The fields an empty JSON object is 400 INVALID_BODY naming: `body:`'s, or about.yaml's when the template requires them. */
export function emptyBodyRequires(folder: PresetFolder): string[] {
  return folder.about.tests?.empty_body_requires ?? Object.keys(folder.route.body ?? {});
}

/** The event a fixture records: its name up to the first "-" or "." (push-deleted.json: push). */
function fixtureEvent(file: string): string {
  return file.replace(/[-.].*$/, "");
}

/** The headers a fixture is sent with besides auth: its event, as the source names it. */
export function eventHeaders(folder: PresetFolder, file: string): Array<[string, string]> {
  const { event_header: header, events } = folder.about.sender;
  if (header === undefined) return [];
  const event = fixtureEvent(file);
  return [[header.toLowerCase(), events?.[event] ?? event]];
}

/** The golden message of a fixture: golden/NAME.expected. */
export function goldenPath(folder: PresetFolder, file: string): string {
  return join(folder.dir, "golden", file.replace(/\.json$/, ".expected"));
}

/** The <body> text of a fixture's golden message, unescaped, or null when it says nothing is sent (204). */
export function goldenBody(folder: PresetFolder, file: string): string | null {
  const m = /<body>([\s\S]*?)<\/body>/.exec(readFileSync(goldenPath(folder, file), "utf8"));
  return m ? unescapeXml(m[1] as string) : null;
}

function unescapeXml(text: string): string {
  return text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&apos;", "'").replaceAll("&amp;", "&");
}
