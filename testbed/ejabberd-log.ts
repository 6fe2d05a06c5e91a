// Reading a test ejabberd from outside: its log files and whether a port accepts TCP.
import { readFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { LOOPBACK, type EjabberdPaths } from "./ejabberd-config.ts";

export async function readIfExists(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return "";
  }
}

/** How long the log is now; lines after this offset belong to the next process. */
export async function logLength(paths: EjabberdPaths): Promise<number> {
  return (await readIfExists(paths.logFile)).length;
}

/** The last lines of ejabberd's log and console output, for failure messages. */
export async function logTail(paths: EjabberdPaths, lines = 40): Promise<string> {
  const last = (text: string, n: number) => text.trimEnd().split("\n").slice(-n).join("\n");
  const parts = [last(await readIfExists(paths.logFile), lines), last(await readIfExists(paths.consoleLog), 10)];
  return parts.filter((s) => s !== "").join("\n--- console ---\n");
}

/** One bounded TCP connect attempt; true if the port accepted. */
export function canConnect(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: LOOPBACK, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
