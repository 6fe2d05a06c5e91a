// packaging/stanzagate.service as systemd reads it. `systemd-analyze verify` loads the unit
// offline (no running systemd needed) and checks every directive and that each command exists;
// the ExecStart path is pointed at the built executable, since /usr/local/bin/stanzagate is only
// there once installed. `make test` installs systemd-analyze (package systemd) when missing.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const UNIT = join(import.meta.dir, "../../packaging/stanzagate.service");
const BIN = join(import.meta.dir, "../../dist/stanzagate-linux-x64");
const text = readFileSync(UNIT, "utf8");

/** The unit with its commands pointing at the built executable, in a directory of its own. */
function installedCopy(): string {
  const file = join(mkdtempSync(join(tmpdir(), "sg-unit-")), "stanzagate.service");
  writeFileSync(file, text.replaceAll("/usr/local/bin/stanzagate", BIN));
  return file;
}

const analyze = (args: string[]) => {
  const r = Bun.spawnSync(["systemd-analyze", ...args], { timeout: 30_000 });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
};

/** `Key=value` lines of the [Service] section. */
const directives = new Set(text.split("\n").filter((l) => /^[A-Z]\w+=/.test(l)));

describe("packaging/stanzagate.service", () => {
  test("passes `systemd-analyze verify` without a single warning", () => {
    expect(analyze(["verify", installedCopy()])).toEqual({ code: 0, out: "", err: "" });
  });

  test("runs as a throw-away user with one writable state directory, restarts on failure, reloads with SIGHUP", () => {
    for (const d of [
      "DynamicUser=yes",
      "StateDirectory=stanzagate",
      "ProtectSystem=strict",
      "Restart=on-failure",
      "ExecReload=/bin/kill -HUP $MAINPID",
      "NoNewPrivileges=yes",
    ]) {
      expect(directives).toContain(d);
    }
  });

  test('is rated at most 2.0 ("OK") by `systemd-analyze security` on its exposure scale of 0 to 10', () => {
    const r = analyze(["security", "--offline=yes", "--threshold=20", installedCopy()]);
    expect(r.out).toMatch(/Overall exposure level for stanzagate\.service: [01]\.\d|Overall exposure level for stanzagate\.service: 2\.0/);
    expect(r.code).toBe(0);
  });
});
