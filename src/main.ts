#!/usr/bin/env bun
/**
 * The CLI entry: the only module that reads argv and the environment, or exits the process.
 */
import pkg from "../package.json" with { type: "json" };
import { createGateway, type Gateway } from "./app.ts";
import { parseArgs, USAGE } from "./cli/args.ts";
import { initCommand } from "./cli/init.ts";
import { outboxCommand } from "./cli/outbox.ts";
import { storeCopyCommand } from "./cli/store-copy.ts";
import { renderCommand, servesDeclarative } from "./features/routes/render-cli.ts";
import { renderOffline } from "./cli/render-offline.ts";
import { jobWatchers } from "./features/bots/render-watch.ts";
import { presetCommand } from "./features/presets/cli.ts";
import { routesYamlSchema } from "./cli/schema.ts";
import { readConfigFile, type ReadOptions } from "./cli/config-file.ts";
import { CODE_FORMATS, type Config } from "./features/index.ts";
import { createLogger, type Logger } from "./log.ts";
import { createReloader, snapshot } from "./reload.ts";

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
    case "init":
      return args.init ? initCommand(args.config, args.init, { out: (l) => console.log(l), err: (l) => console.error(l) }) : 2;
    case "hash-password":
      return hashPassword();
    case "preset":
      return presetCommand(args.preset, { out: (l) => console.log(l), err: (l) => console.error(l) }, CODE_FORMATS);
    case "schema":
      console.log(JSON.stringify(routesYamlSchema(), null, 2));
      return 0;
    case "check": {
      const read = await checkFile(args.config);
      if (!read.ok) console.error(read.errors.join("\n"));
      if (!read.ok) return 1;
      const { config } = read;
      if (read.warnings.length) console.error(read.warnings.join("\n"));
      console.log(`${args.config}: ok (${config.routes.length} route${config.routes.length === 1 ? "" : "s"})`);
      return 0;
    }
    case "serve":
      return serve(args.config);
    case "outbox": {
      // The outbox commands never connect: the component secret is not needed to read the queue.
      const config = await readConfig(args.config, { offline: true });
      if (!config || !args.outbox) return 1;
      return outboxCommand(config.store, args.outbox, { out: (l) => console.log(l), err: (l) => console.error(`${args.config}: ${l}`) });
    }
    case "store-copy": {
      if (!args.storeCopy) return 2;
      // The config only tells where a side left out is: read offline, the component secret is not needed.
      const configStore = async () => (await readConfig(args.config, { offline: true }))?.store;
      return storeCopyCommand(args.storeCopy, process.env, configStore, { out: (l) => console.log(l), err: (l) => console.error(l) });
    }
    case "render": {
      const config = await readConfig(args.config, { offline: true });
      if (!config || !args.render) return 1;
      const { bodyFile, ...request } = args.render;
      const body = bodyFile === undefined ? undefined : bodyFile === "-" ? await Bun.stdin.bytes() : await readBody(bodyFile);
      if (body === null) return 1;
      // A declarative route renders its templates alone; any other kind runs its own handler offline.
      const render = servesDeclarative(config, request) ? renderCommand : renderOffline;
      // mqtt:TOPIC: the bots' watching jobs are rendered with the MQTT routes.
      const watchers = jobWatchers(config.bots);
      return render(
        config,
        { ...request, watchers, ...(body ? { body } : {}) },
        { out: (l) => console.log(l), err: (l) => console.error(l) },
      );
    }
  }
}

async function readConfig(file: string, opts: ReadOptions = {}): Promise<Config | undefined> {
  const read = await checkFile(file, opts);
  if (read.ok) return read.config;
  console.error(read.errors.join("\n"));
  return undefined;
}

const checkFile = (file: string, opts: ReadOptions = {}) => readConfigFile(file, process.env, opts);

async function serve(file: string): Promise<number> {
  const first = await checkFile(file);
  if (!first.ok) {
    console.error(first.errors.join("\n"));
    return 1;
  }
  const { config } = first;
  // A full disk or a closed pipe on stderr costs log lines, never the process (log.ts).
  process.stderr.on("error", () => {});
  const log = createLogger({ level: config.log.level, format: config.log.format });
  for (const warning of first.warnings) log.warn("routes.yaml warning", { warning });
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
  // A build with `--compile-jit-policy` kept run-once start-up code out of the JIT; from here on
  // the JIT works normally (a no-op when no policy was built in).
  setTimeout(() => {
    Bun.unsafe.setJITPolicy(1);
    Bun.gc(true);
    Bun.shrink();
  }, 1_000).unref();
  log.info("stanzagate started", {
    version: pkg.version,
    http: `${config.http.listen.replace(/:\d+$/, "")}:${port}`,
    routes: config.routes.length,
  });
  const done = Promise.withResolvers<number>();
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal, queued: gateway.delivery.queued });
    gateway.stop().then(
      () => done.resolve(0),
      (err) => {
        log.error("shutdown failed", { err });
        done.resolve(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  listenForReload(file, snapshot(config, first.text), gateway, log, () => stopping);
  return done.promise;
}

/** SIGHUP (`kill -HUP <pid>`, systemd's ExecReload) re-reads routes.yaml: see reload.ts. */
function listenForReload(file: string, initial: ReturnType<typeof snapshot>, gateway: Gateway, log: Logger, stopping: () => boolean): void {
  const reloader = createReloader({
    initial,
    // The summary line ("N errors — not started") is for the command line, not for a reload.
    read: async () => {
      const read = await checkFile(file);
      return read.ok ? read : { ok: false, errors: read.errors.filter((line) => !line.endsWith("not started")) };
    },
    apply: (config) => gateway.reload(config),
    log: log.child({ part: "reload" }),
    onOutcome: (outcome) => gateway.metrics.reload(outcome),
  });
  process.on("SIGHUP", () => {
    if (stopping()) return;
    log.info("SIGHUP: reloading", { config: file });
    void reloader.request();
  });
}

async function readBody(file: string): Promise<Uint8Array | null> {
  const source = Bun.file(file);
  if (await source.exists()) return source.bytes();
  console.error(`--body ${file}: no such file (use - for stdin)`);
  return null;
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
