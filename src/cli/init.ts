/**
 * `stanzagate init [--domain D] [--host H] [--secret S] [--server prosody|ejabberd] [--port N]
 * [--listen HOST:PORT] [--force] [--config FILE]`: writes a starter routes.yaml and prints the
 * server's side of the same component, so the first message needs nothing copied from the docs.
 */
import { randomBytes } from "node:crypto";
import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import type { CliOutput } from "../feature-api.ts";
import { ejabberdSnippets, prosodySnippets, starterRoutes, type Component } from "./init-files.ts";

type XmppServerKind = "prosody" | "ejabberd";

export interface InitArgs {
  /** The component's domain; default gateway.localhost. */
  domain?: string;
  /** The users' domain; default the component's domain without its first label. */
  host?: string;
  /** Default: 32 random bytes, base64url. */
  secret?: string;
  server: XmppServerKind;
  /** The server's component port. */
  port: number;
  /** The gateway's HTTP address; default 127.0.0.1:5280. */
  listen?: string;
  force: boolean;
}

const DEFAULT_DOMAIN = "gateway.localhost";

/** Writes `file` (unless it exists and --force is absent) and prints the server lines; returns the exit code. */
export function initCommand(file: string, args: InitArgs, io: CliOutput): number {
  if (existsSync(file) && !args.force) {
    io.err(`${file} exists: not overwritten (--force replaces it, or --config FILE writes another)`);
    return 1;
  }
  const domain = args.domain ?? DEFAULT_DOMAIN;
  const host = args.host ?? domain.slice(domain.indexOf(".") + 1);
  const component: Component = { domain, host, secret: args.secret ?? randomBytes(32).toString("base64url"), port: args.port };
  const listen = args.listen ?? "127.0.0.1:5280";
  const text = starterRoutes({
    server: `xmpp://127.0.0.1:${component.port}`,
    component: domain,
    secret: yamlString(component.secret),
    host,
    listen,
    store: "./stanzagate.db",
  });
  const written = writeSecretFile(file, text, args.force);
  if (written !== undefined) {
    io.err(`cannot write ${file}: ${written}`);
    return 1;
  }
  io.out(`Wrote ${file}: component ${domain} for the users of ${host}, and its secret.`);
  for (const snippet of args.server === "prosody" ? prosodySnippets(component) : ejabberdSnippets(component)) {
    io.out(`\n${snippet.where}\n${snippet.text.trimEnd()}`);
  }
  io.out(nextSteps(file, args.server, host, listen));
  return 0;
}

/**
 * The file holds the component secret: readable by its owner only, whatever was there before.
 * Without --force it must not exist (O_EXCL: a dangling symlink is not followed either); with it,
 * a new file is renamed over the old one, which replaces a symlink instead of writing through it
 * and keeps mode 0600 where an existing 0644 file would have kept its own. Returns why it failed.
 */
function writeSecretFile(file: string, text: string, force: boolean): string | undefined {
  const target = force ? `${file}.${process.pid}.tmp` : file;
  try {
    writeFileSync(target, text, { mode: 0o600, flag: "wx" });
    if (force) renameSync(target, file);
    return undefined;
  } catch (err) {
    if (force) rmSync(target, { force: true });
    return (err as NodeJS.ErrnoException).code === "EEXIST" ? "it exists (--force replaces it)" : (err as Error).message;
  }
}

function nextSteps(file: string, server: XmppServerKind, host: string, listen: string): string {
  return `
Then restart the server (systemctl restart ${server}), and:
  stanzagate check --config ${file}
  stanzagate --config ${file}
  curl -u alice@${host}:PASSWORD -H 'Content-Type: text/plain' -d 'Hello' http://${listen.startsWith(":") ? `127.0.0.1${listen}` : listen}/msg/bob`;
}

/** A YAML double-quoted scalar that `${VAR}` substitution leaves alone (config/env.ts: `$${` is a literal `${`). */
function yamlString(value: string): string {
  return JSON.stringify(value).replaceAll("${", () => "$${");
}
