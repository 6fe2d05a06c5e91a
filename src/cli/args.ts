/** Command-line parsing: `stanzagate [serve|check|hash-password|schema|outbox ...|render ...|preset [NAME]] [--config FILE]`. */
export type Command = "serve" | "check" | "hash-password" | "outbox" | "schema" | "render" | "preset" | "help" | "version";

/** For `render`: the request to render (the body is a file name here; main.ts reads it). */
export interface RenderArgs {
  route: string;
  method?: string;
  bodyFile?: string;
  headers: Array<[string, string]>;
  query: Array<[string, string]>;
  pretty: boolean;
}

export type OutboxAction = { action: "list" } | { action: "retry" | "drop"; id: number };

export interface Args {
  command: Command;
  config: string;
  /** For `outbox`: what to do with the dead letters. */
  outbox?: OutboxAction;
  render?: RenderArgs;
  /** For `preset`: the preset to print (all of them listed when absent). */
  preset?: string;
}

export const USAGE = `Usage: stanzagate [command] [--config FILE]

Commands:
  serve            run the gateway (the default)
  check            validate the config and exit: 0 when it is fine, 1 with every problem listed
  hash-password    read a password on stdin, print its argon2id hash for a basic auth scheme
  schema           print the JSON Schema of routes.yaml (for editor completion)
  outbox list      the queue's size and every dead letter (stanzas the server refused)
  outbox retry ID  put dead letter ID back at the end of the queue
  outbox drop ID   forget dead letter ID for good
  render           print the stanzas a request would produce, without connecting:
                   render --route PATH [--method M] [--body FILE|-] [--header K:V]... [--query k=v]... [--pretty]
  preset [NAME]    print a built-in route (alertmanager, github, ...) to copy into routes.yaml; without NAME, list them

Options:
  --config FILE    the routes file (default ./routes.yaml)
  --help, -h       this text
  --version, -v    the version`;

export function parseArgs(argv: readonly string[]): Args | { error: string } {
  let command: Command = "serve";
  let config = "./routes.yaml";
  let outbox: OutboxAction | undefined;
  let render: Partial<RenderArgs> | undefined;
  let preset: string | undefined;
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
      render = { headers: [], query: [], pretty: false };
    } else if (render && RENDER_OPTIONS.has(a)) {
      const error = renderOption(render, a, argv[++i]);
      if (error) return { error };
    } else if (render && a === "--pretty") render.pretty = true;
    else if (a === "preset") {
      command = "preset";
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith("-")) preset = argv[++i];
    } else if (a === "outbox") {
      const parsed = parseOutbox(argv[i + 1], argv[i + 2]);
      if ("error" in parsed) return parsed;
      command = "outbox";
      outbox = parsed;
      i += parsed.action === "list" ? 1 : 2;
    } else return { error: `unknown argument: ${a}` };
  }
  if (render && !render.route) return { error: "render needs --route PATH (the request's path, e.g. /notify/alice)" };
  return { command, config, ...(outbox ? { outbox } : {}), ...(render ? { render: render as RenderArgs } : {}), ...(preset ? { preset } : {}) };
}

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
