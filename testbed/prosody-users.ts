// Accounts on a test Prosody, created with prosodyctl.
//
// Finding about Prosody 0.12.3: `prosodyctl --config FILE register USER HOST PASSWORD`
// works with a custom config. As root it would setuid to the `prosody` user (who
// cannot write our 0700 temp dir) unless the config says `run_as_root = true`.

const PROSODYCTL_TIMEOUT_MS = 10_000;

export interface UserTarget {
  prosodyctl: string;
  configFile: string;
  host: string;
}

/** Register username@host (works while the server runs or is stopped). */
export async function registerUser(target: UserTarget, username: string, password: string): Promise<void> {
  if (password === "") throw new Error(`addUser(${username}): prosodyctl cannot register an empty password`);
  const args = ["--config", target.configFile, "register", username, target.host, password];
  const result = await runBounded([target.prosodyctl, ...args], PROSODYCTL_TIMEOUT_MS);
  if (result.exitCode !== 0) {
    throw new Error(`prosodyctl register ${username}@${target.host} failed (${result.exitCode}): ${result.output}`);
  }
}

interface RunResult {
  exitCode: number | null;
  output: string;
}

/** Run a short command, killing it if it outlives `ms` (prosodyctl may prompt on odd input). */
async function runBounded(cmd: string[], ms: number): Promise<RunResult> {
  const proc = Bun.spawn(cmd, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), ms);
  try {
    const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    const exitCode = await proc.exited;
    return { exitCode: proc.signalCode === null ? exitCode : null, output: `${stdout}${stderr}`.trim() };
  } finally {
    clearTimeout(timer);
  }
}
