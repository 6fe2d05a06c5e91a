/** What plugins (and the engine) log through; src/log.ts writes it as JSON or text lines. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Whether a line at `level` would be written: fields that cost something to gather are skipped when not. */
  enabled(level: "debug" | "info" | "warn" | "error"): boolean;
  /** A logger whose lines all carry `fields` (for example `{ plugin: "post_msg" }`). */
  child(fields: LogFields): Logger;
}
