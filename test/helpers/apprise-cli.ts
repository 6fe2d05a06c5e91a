// Debian's apprise CLI (1.2.0), run as a sender would run it, with a home of its own (no user
// configuration): `-vv` so that a failure says why in `output`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** `apprise -vv ...args` (the URL last); its exit code and everything it printed. */
export async function appriseCli(args: readonly string[]): Promise<{ code: number; output: string }> {
  const home = mkdtempSync(join(tmpdir(), "apprise-home-"));
  try {
    const proc = Bun.spawn(["apprise", "-vv", ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: home },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    return { code, output: out + err };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
