/** Command-line parsing: `stanzagate [serve|check|init ...|hash-password|schema|outbox ...|store copy ...|render ...|preset [NAME]] [--config FILE]`. */
import { DEFAULT_COMPONENT_PORT } from "./init-files.ts";
import type { InitArgs } from "./init.ts";
import type { OutboxAction } from "./outbox.ts";
import type { StoreCopyArgs } from "./store-locations.ts";

type Command = "serve" | "check" | "init" | "hash-password" | "outbox" | "store-copy" | "schema" | "render" | "preset" | "help" | "version";

/** For `render`: the request to render (the body is a file name here; main.ts reads it). */
interface RenderArgs {
  route: string;
  method?: string;
  bodyFile?: string;
  headers: Array<[string, string]>;
  query: Array<[string, string]>;
  pretty: boolean;
  xml: boolean;
}

export interface Args {
  command: Command;
  config: string;
  /** For `outbox`: what to do with the dead letters. */
  outbox?: OutboxAction;
  /** For `store copy`: where from, where to. */
  storeCopy?: StoreCopyArgs;
  render?: RenderArgs;
  /** For `preset`: the preset to print (all of them listed when absent). */
  preset?: string;
  /** For `init`: the component to write routes.yaml and the server lines for. */
  init?: InitArgs;
}

export const USAGE = `Usage: stanzagate [command] [--config FILE]

Commands:
  serve            run the gateway (the default)
  check            validate the config and exit: 0 when it is fine, 1 with every problem listed
  init             write a starter routes.yaml (--config FILE) and print the XMPP server's lines for it:
                   init [--domain gateway.example.com] [--host example.com] [--secret S] [--server prosody|ejabberd]
                        [--port 5347] [--listen 127.0.0.1:5280] [--force]
  hash-password    read a password on stdin, print its argon2id hash for a basic auth scheme
  schema           print the JSON Schema of routes.yaml (for editor completion)
  outbox list      the queue's size and every dead letter (stanzas the server refused)
  outbox retry ID  put dead letter ID back at the end of the queue
  outbox drop ID   forget dead letter ID for good
  store copy       copy a SQLite store, outbox included, into an empty PostgreSQL store, in one transaction
                   (stop the gateway first; docs/operations.md "Moving from SQLite"):
                   store copy --from sqlite:PATH --to 'postgres://user:\${PASSWORD}@host/db?sslmode=verify-full' [--force]
                   (\${VAR} is read from the environment; the config's store: may give --from or --to;
                   --force replaces the rows a non-empty target holds, which are lost)
  render           print what a request would send, without connecting: a declarative route's stanzas, a
                   format route's (ntfy, Gotify, Slack...) message bodies as a client shows them (--xml: stanzas)
                   render --route PATH [--method M] [--body FILE|-] [--header K:V]... [--query k=v]... [--pretty] [--xml]
                   (--route mqtt:TOPIC: what a message published on TOPIC would send through the MQTT routes)
  preset [NAME]    print a built-in route (alertmanager, ntfy, slack, ...) to copy into routes.yaml; without NAME, list them

Options:
  --config FILE    the routes file (default ./routes.yaml; for init, the file it writes)
  --help, -h       this text
  --version, -v    the version`;

export function parseArgs(argv: readonly string[]): Args | { error: string } {
  let command: Command = "serve";
  let config = "./routes.yaml";
  let outbox: OutboxAction | undefined;
  let storeCopy: StoreCopyArgs | undefined;
  let render: Partial<RenderArgs> | undefined;
  let preset: string | undefined;
  let init: InitArgs | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--help" || a === "-h") return { command: "help", config };
    if (a === "--version" || a === "-v") return { command: "version", config };
    if (a === "--config" || a === "-c") {
      const next = argv[++i];
      if (!next) return { error: `${a} needs a file name` };
      config = next;
    } else if (a.startsWith("--config=")) config = a.slice("--config=".length);
    else if (a === "serve" || a === "check" || a === "hash-password" || a === "schema") command = a;
    else if (a === "render") {
      command = "render";
      render = { headers: [], query: [], pretty: false, xml: false };
    } else if (render && RENDER_OPTIONS.has(a)) {
      const error = renderOption(render, a, argv[++i]);
      if (error) return { error };
    } else if (render && a === "--pretty") render.pretty = true;
    else if (render && a === "--xml") render.xml = true;
    else if (a === "init") {
      command = "init";
      init = { server: "prosody", port: DEFAULT_COMPONENT_PORT, force: false };
    } else if (init && a === "--force") init.force = true;
    else if (init && INIT_OPTIONS.has(a)) {
      const error = initOption(init, a, argv[++i]);
      if (error) return { error };
    } else if (a === "preset") {
      command = "preset";
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith("-")) preset = argv[++i];
    } else if (a === "store") {
      if (argv[++i] !== "copy") return { error: "store needs copy (store copy --from sqlite:PATH --to postgres://...)" };
      command = "store-copy";
      storeCopy = { force: false };
    } else if (storeCopy && a === "--force") storeCopy.force = true;
    else if (storeCopy && (a === "--from" || a === "--to")) {
      const value = argv[++i];
      if (!value) return { error: `${a} needs a value` };
      storeCopy[a === "--from" ? "from" : "to"] = value;
    } else if (a === "outbox") {
      const parsed = parseOutbox(argv[i + 1], argv[i + 2]);
      if ("error" in parsed) return parsed;
      command = "outbox";
      outbox = parsed;
      i += parsed.action === "list" ? 1 : 2;
    } else return { error: `unknown argument: ${a}` };
  }
  if (init && init.domain !== undefined && (init.host ?? init.domain.slice(init.domain.indexOf(".") + 1)) === init.domain) {
    return { error: `init needs the users' domain apart from the component's: --host (e.g. ${init.domain} for gateway.${init.domain})` };
  }
  if (render && !render.route) return { error: "render needs --route PATH (the request's path, e.g. /notify/alice)" };
  return {
    command,
    config,
    ...(outbox ? { outbox } : {}),
    ...(storeCopy ? { storeCopy } : {}),
    ...(render ? { render: render as RenderArgs } : {}),
    ...(preset ? { preset } : {}),
    ...(init ? { init } : {}),
  };
}

const INIT_OPTIONS = new Set(["--domain", "--host", "--secret", "--server", "--port", "--listen"]);

function initOption(init: InitArgs, option: string, value: string | undefined): string | undefined {
  if (value === undefined || value === "") return `${option} needs a value`;
  if (option === "--server") {
    if (value !== "prosody" && value !== "ejabberd") return `--server is prosody or ejabberd, not ${value}`;
    init.server = value;
  } else if (option === "--port") {
    if (!/^[1-9][0-9]{0,4}$/.test(value) || Number(value) > 65_535) return `--port needs a port number (1-65535), not ${value}`;
    init.port = Number(value);
  } else if (option === "--domain" || option === "--host") {
    if (!DOMAIN.test(value))
      return `${option} needs a domain name such as ${option === "--domain" ? "gateway.example.com" : "example.com"}, not ${value}`;
    init[option === "--domain" ? "domain" : "host"] = value;
  } else if (option === "--listen") {
    if (!/^[\w.:[\]-]+$/.test(value)) return `--listen needs host:port (e.g. 127.0.0.1:5280), not ${value}`;
    init.listen = value;
  } else init.secret = value;
  return undefined;
}

/** Dot-separated labels of letters, digits and hyphens (what a component domain and a host are). */
const DOMAIN = /^(?!-)[a-z0-9-]{1,63}(?:\.(?!-)[a-z0-9-]{1,63})*$/i;

const RENDER_OPTIONS = new Set(["--route", "--method", "--body", "--header", "--query"]);

function renderOption(r: Partial<RenderArgs>, option: string, value: string | undefined): string | undefined {
  if (value === undefined) return `${option} needs a value`;
  if (option === "--route") r.route = value;
  else if (option === "--method") r.method = value;
  else if (option === "--body") r.bodyFile = value;
  else {
    const sep = option === "--header" ? value.indexOf(":") : value.indexOf("=");
    if (sep <= 0) return option === "--header" ? `--header needs Name:value, not ${value}` : `--query needs name=value, not ${value}`;
    const pair: [string, string] = [value.slice(0, sep).trim(), value.slice(sep + 1).trim()];
    (option === "--header" ? r.headers : r.query)?.push(pair);
  }
  return undefined;
}

function parseOutbox(action: string | undefined, id: string | undefined): OutboxAction | { error: string } {
  if (action === "list") return { action };
  if (action !== "retry" && action !== "drop") return { error: "outbox needs list, retry ID or drop ID" };
  if (!id || !/^[1-9][0-9]{0,15}$/.test(id)) return { error: `outbox ${action} needs the id of a dead letter (see outbox list)` };
  return { action, id: Number(id) };
}
