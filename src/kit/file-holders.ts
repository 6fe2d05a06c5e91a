/**
 * Which other processes hold a file open, as far as this one can see: Linux's /proc/<pid>/fd
 * links, readable for the processes of the same user (all of them as root). Elsewhere, or for
 * processes out of sight (another PID namespace, another user), the answer is empty: a hint
 * for a helpful refusal, never a proof that nobody writes the file.
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";

export interface FileHolder {
  pid: number;
  /** Its command line, spaces between the arguments. */
  command: string;
}

export function fileHolders(path: string): FileHolder[] {
  let target: string;
  let pids: string[];
  try {
    target = realpathSync(path);
    pids = readdirSync("/proc").filter((name) => /^[0-9]+$/.test(name) && Number(name) !== process.pid);
  } catch {
    return [];
  }
  return pids.filter((pid) => holds(pid, target)).map((pid) => ({ pid: Number(pid), command: commandOf(pid) }));
}

function holds(pid: string, target: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => readlinkOr(`/proc/${pid}/fd/${fd}`) === target);
  } catch {
    return false; // gone, or not ours to read
  }
}

const readlinkOr = (link: string): string | undefined => {
  try {
    return readlinkSync(link);
  } catch {
    return undefined;
  }
};

function commandOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  } catch {
    return "?";
  }
}
