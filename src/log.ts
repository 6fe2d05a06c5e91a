/**
 * Structured logging: one JSON object per line on stderr (or, with format "text", one readable
 * line for a terminal). A failing stderr (a full disk, a closed pipe) drops lines, never the process.
 *
 * Loggers are created by the CLI and passed down; nothing in the engine writes to the console
 * directly, so tests can capture or silence every line. Never pass secrets in `fields`: callers
 * log user names and JIDs, never passwords, tokens or Authorization headers.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

import type { LogFields, Logger } from "./plugin-api/log.ts";

export type { Logger } from "./plugin-api/log.ts";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; stderr by default. */
  write?: (line: string) => void;
  fields?: LogFields;
  /** "json" (default) or "text": `time LEVEL msg key=value ...`. */
  format?: "json" | "text";
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const min = RANK[options.level ?? "info"];
  const write = options.write ?? writeStderr;
  const base = options.fields ?? {};
  const render = options.format === "text" ? textLine : jsonLine;
  const emit = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (RANK[level] < min) return;
    try {
      write(render(new Date().toISOString(), level, msg, { ...base, ...fields }));
    } catch {
      // Nowhere left to say it: the line is lost, the request it describes is not.
    }
  };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    enabled: (level) => RANK[level] >= min,
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything: the default in tests. */
export const silentLogger: Logger = createLogger({ write: () => {} });

function writeStderr(line: string): void {
  process.stderr.write(line + "\n");
}

function jsonLine(time: string, level: LogLevel, msg: string, fields: LogFields): string {
  return JSON.stringify({ time, level, msg, ...fields }, errorReplacer);
}

/** `2025-01-01T00:00:00.000Z INFO  http request route=/msg status=201`: strings with spaces quoted. */
function textLine(time: string, level: LogLevel, msg: string, fields: LogFields): string {
  const pairs = Object.entries(fields).map(([k, v]) => `${k}=${textValue(v)}`);
  return [time, level.toUpperCase().padEnd(5), msg, ...pairs].join(" ");
}

function textValue(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v, errorReplacer) ?? String(v);
}

function errorReplacer(_key: string, value: unknown): unknown {
  // The stack says where an unexpected error came from; messages never carry secrets (see above).
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}
