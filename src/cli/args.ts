/** Command-line parsing: `stanzagate [serve|check|hash-password] [--config FILE]`. */
export type Command = "serve" | "check" | "hash-password" | "help" | "version";

export interface Args {
  command: Command;
  config: string;
}

export const USAGE = `Usage: stanzagate [command] [--config FILE]

Commands:
  serve            run the gateway (the default)
  check            validate the config and exit: 0 when it is fine, 1 with every problem listed
  hash-password    read a password on stdin, print its argon2id hash for a basic auth scheme

Options:
  --config FILE    the routes file (default ./routes.yaml)
  --help, -h       this text
  --version, -v    the version`;

export function parseArgs(argv: readonly string[]): Args | { error: string } {
  let command: Command = "serve";
  let config = "./routes.yaml";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--help" || a === "-h") return { command: "help", config };
    if (a === "--version" || a === "-v") return { command: "version", config };
    if (a === "--config" || a === "-c") {
      const next = argv[++i];
      if (!next) return { error: `${a} needs a file name` };
      config = next;
    } else if (a.startsWith("--config=")) config = a.slice("--config=".length);
    else if (a === "serve" || a === "check" || a === "hash-password") command = a;
    else return { error: `unknown argument: ${a}` };
  }
  return { command, config };
}
