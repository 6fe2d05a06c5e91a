// A ```yaml fragment of the docs (one route, a bot's command, a key of a route, a bot or the
// file) placed in the smallest whole routes.yaml around it, so that `check` can judge it too. What
// a piece is comes from the schemas: a key of the file, of a declarative route or of a bot.
import type { TSchema } from "@sinclair/typebox";
import YAML from "yaml";
import { BotSchema } from "../../src/features/bots/schema.ts";
import { DeclarativeRouteSchema } from "../../src/features/routes/schema.ts";
import { topSchema } from "../../src/config/load.ts";
import { FEATURE_REGISTRY } from "../../src/features/index.ts";

type Map = Record<string, unknown>;

const XMPP = { server: "xmpp://127.0.0.1:5347", component: "gateway.localhost", secret: "${STANZAGATE_SECRET}", host: "localhost" };
const SEND = '<message to="someone@localhost"><body>hello</body></message>';
const COMMAND = { match: "^ping$", reply: "pong" };
const keysOf = (schema: TSchema) => new Set(Object.keys((schema.properties ?? {}) as Map));
const FILE_KEYS = keysOf(topSchema(FEATURE_REGISTRY));
const ROUTE_KEYS = keysOf(DeclarativeRouteSchema);
const BOT_KEYS = keysOf(BotSchema);

const isMap = (value: unknown): value is Map => typeof value === "object" && value !== null && !Array.isArray(value);
const all = (keys: string[], set: Set<string>) => keys.length > 0 && keys.every((k) => set.has(k));

/** A path carrying every `params.x` the fragment reads. */
function pathFor(text: string): string {
  const params = new Set([...text.matchAll(/params\.(\w+)/g)].map((m) => m[1]));
  return ["/example", ...[...params].map((p) => `:${p}`)].join("/");
}

function bot(extra: Map): Map {
  return { jid: "bot@gateway.localhost", allow: ["*"], commands: [COMMAND], ...extra };
}

/** The file a fragment belongs in, before auth schemes are added. */
function around(fragment: unknown, text: string): Map {
  if (Array.isArray(fragment)) {
    const commands = fragment.every((item) => isMap(item) && "match" in item);
    return commands ? { bots: [bot({ commands: fragment })] } : { routes: fragment };
  }
  if (!isMap(fragment)) throw new Error(`a YAML fragment is a list or a map, not ${JSON.stringify(fragment)}`);
  const keys = Object.keys(fragment);
  if (all(keys, FILE_KEYS)) return { ...fragment, xmpp: { ...XMPP, ...(fragment.xmpp as Map | undefined) } };
  if (all(keys, ROUTE_KEYS)) return { routes: [{ path: pathFor(text), ...("publish" in fragment ? {} : { send: SEND }), ...fragment }] };
  if (all(keys, BOT_KEYS)) return { bots: [bot(fragment)] };
  throw new Error(`keys ${keys.join(", ")} belong to no part of routes.yaml`);
}

/** The fragment as a whole routes.yaml: the link, a broker when it publishes or watches MQTT, and a bearer scheme for each auth name it uses. */
export function inContext(text: string): string {
  const file = around(YAML.parse(text), text);
  if (/\b(mqtt|publish):/.test(text) && !("mqtt" in file)) file.mqtt = { url: "mqtt://127.0.0.1:1883" };
  const auth: Map = { ...(file.auth as Map | undefined) };
  for (const [, name] of text.matchAll(/\bauth: (\w+)/g))
    if (name && !(name in auth)) auth[name] = { kind: "bearer", tokens: [{ name, token: `token-of-${name}-0123456789` }] };
  return YAML.stringify({ xmpp: XMPP, ...file, auth });
}
