// Debian's apprise CLI (1.2.0), run as a user runs it, with a home of its own: no user
// configuration reaches the test (Apprise reads ~/.apprise and ~/.config/apprise).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** `apprise -vv ARGS…` (URLs anywhere among them) to completion: its exit code (cli.py: 0 all sent, 1 one failed, 3 nothing to notify) and what it printed. */
export async function apprise(...args: string[]): Promise<{ code: number; output: string }> {
  const home = mkdtempSync(join(tmpdir(), "apprise-home-"));
  try {
    const proc = Bun.spawn(["apprise", "-vv", ...args], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    return { code, output: out + err };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
