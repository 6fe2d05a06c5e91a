/** Command-line parsing: `stanzagate [serve|check|hash-password|schema|outbox ...] [--config FILE]`. */
export type Command = "serve" | "check" | "hash-password" | "outbox" | "schema" | "help" | "version";

export type OutboxAction = { action: "list" } | { action: "retry" | "drop"; id: number };

export interface Args {
  command: Command;
  config: string;
  /** For `outbox`: what to do with the dead letters. */
  outbox?: OutboxAction;
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

Options:
  --config FILE    the routes file (default ./routes.yaml)
  --help, -h       this text
  --version, -v    the version`;

export function parseArgs(argv: readonly string[]): Args | { error: string } {
  let command: Command = "serve";
  let config = "./routes.yaml";
  let outbox: OutboxAction | undefined;
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
    else if (a === "outbox") {
      const parsed = parseOutbox(argv[i + 1], argv[i + 2]);
      if ("error" in parsed) return parsed;
      command = "outbox";
      outbox = parsed;
      i += parsed.action === "list" ? 1 : 2;
    } else return { error: `unknown argument: ${a}` };
  }
  return { command, config, ...(outbox ? { outbox } : {}) };
}

function parseOutbox(action: string | undefined, id: string | undefined): OutboxAction | { error: string } {
  if (action === "list") return { action };
  if (action !== "retry" && action !== "drop") return { error: "outbox needs list, retry ID or drop ID" };
  if (!id || !/^[1-9][0-9]{0,15}$/.test(id)) return { error: `outbox ${action} needs the id of a dead letter (see outbox list)` };
  return { action, id: Number(id) };
}
