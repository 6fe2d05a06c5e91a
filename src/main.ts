#!/usr/bin/env bun
/**
 * The CLI entry: the only module that reads argv and the environment, or exits the process.
 */
import pkg from "../package.json" with { type: "json" };
import { BUILTIN_PLUGINS } from "../plugins/index.ts";
import { createGateway, type Gateway } from "./app.ts";
import { parseArgs, USAGE } from "./cli/args.ts";
import { outboxCommand } from "./cli/outbox.ts";
import { formatDiagnostics } from "./config/diagnostics.ts";
import { loadConfig, type Config } from "./config/load.ts";
import { createLogger } from "./log.ts";

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if ("error" in args) {
    console.error(`${args.error}\n\n${USAGE}`);
    return 2;
  }
  switch (args.command) {
    case "help":
      console.log(USAGE);
      return 0;
    case "version":
      console.log(`stanzagate ${pkg.version}`);
      return 0;
    case "hash-password":
      return hashPassword();
    case "check": {
      const config = await readConfig(args.config);
      if (!config) return 1;
      console.log(`${args.config}: ok (${config.routes.length} route${config.routes.length === 1 ? "" : "s"})`);
      return 0;
    }
    case "serve":
      return serve(args.config);
    case "outbox": {
      const config = await readConfig(args.config);
      if (!config || !args.outbox) return 1;
      return outboxCommand(config.store, args.outbox, { out: (l) => console.log(l), err: (l) => console.error(`${args.config}: ${l}`) });
    }
  }
}

async function readConfig(file: string): Promise<Config | undefined> {
  const source = Bun.file(file);
  if (!(await source.exists())) {
    console.error(`${file}: no such file (use --config FILE)`);
    return undefined;
  }
  const result = loadConfig(await source.text(), process.env, BUILTIN_PLUGINS);
  if (result.ok) return result.config;
  console.error(formatDiagnostics(file, result.diagnostics));
  return undefined;
}

async function serve(file: string): Promise<number> {
  const config = await readConfig(file);
  if (!config) return 1;
  const log = createLogger({ level: config.log.level });
  let gateway: Gateway;
  let port: number;
  try {
    gateway = await createGateway(config, { log });
    port = gateway.listen();
  } catch (err) {
    // A port in use, a store that cannot be opened, a plugin refusing its options: one line, exit 1.
    console.error(`${file}: cannot start: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  // Start-up (YAML parsing, schema compilation) leaves garbage; collect it once, before idling,
  // and hand the freed heap pages back to the system (about 2 MB of idle RSS, bench/README.md).
  setTimeout(() => {
    Bun.gc(true);
    Bun.shrink();
  }, 1_000).unref();
  log.info("stanzagate started", { version: pkg.version, http: `${config.http.listen.replace(/:\d+$/, "")}:${port}`, routes: config.routes.length });
  const done = Promise.withResolvers<number>();
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal, queued: gateway.delivery.queued });
    gateway.stop().then(() => done.resolve(0), (err) => {
      log.error("shutdown failed", { err });
      done.resolve(1);
    });
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  return done.promise;
}

async function hashPassword(): Promise<number> {
  const input = (await Bun.stdin.text()).replace(/\r?\n$/, "");
  if (!input) {
    console.error("hash-password: give the password on stdin, e.g. printf %s 'secret' | stanzagate hash-password");
    return 2;
  }
  console.log(await Bun.password.hash(input, { algorithm: "argon2id" }));
  return 0;
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
