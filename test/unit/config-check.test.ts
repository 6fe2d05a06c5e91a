// `stanzagate check` output for broken configs, compared with golden files in test/golden/check.
// Golden files are written only by `make golden` (STANZAGATE_GOLDEN=write): review the diff after.
import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { BUILTIN_PLUGINS } from "../../plugins/index.ts";
import { formatDiagnostics } from "../../src/config/diagnostics.ts";
import { loadConfig } from "../../src/features/index.ts";

const DIR = join(import.meta.dir, "../golden/check");
const ENV = { GOLDEN_SECRET: "s3cret", STANZAGATE_SECRET: "s3cret" };

function checkOutput(name: string, text: string): string {
  const result = loadConfig(text, ENV, BUILTIN_PLUGINS);
  return result.ok ? `${name}: ok\n` : formatDiagnostics(name, result.diagnostics) + "\n";
}

describe("check reports every problem with file:line:col, key path, expected and found", () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith(".yaml"))) {
    test(file, async () => {
      const actual = checkOutput(file, await Bun.file(join(DIR, file)).text());
      const expected = file.replace(/\.yaml$/, ".expected");
      const golden = Bun.file(join(DIR, expected));
      if (process.env.STANZAGATE_GOLDEN === "write") await Bun.write(golden, actual);
      else if (!(await golden.exists()))
        throw new Error(
          `test/golden/check/${expected} is missing: run \`make golden\` to write it from the current output, then review it`,
        );
      expect(actual).toBe(await golden.text());
    });
  }
});

describe("check on the shipped routes.yaml", () => {
  test("accepts it when its variables are set", async () => {
    const text = await Bun.file(join(import.meta.dir, "../../routes.yaml")).text();
    expect(checkOutput("routes.yaml", text)).toBe("routes.yaml: ok\n");
  });
});

describe("http.listen", () => {
  const withListen = (listen: string) =>
    loadConfig(
      `xmpp: { server: "xmpp://127.0.0.1:5347", component: gw.localhost, secret: s, host: localhost }\nhttp: { listen: "${listen}" }\n`,
      ENV,
      BUILTIN_PLUGINS,
    );

  test.each(["127.0.0.1:5280", "[::1]:65535", ":8080", "127.0.0.1:0"])("accepts %s (0 is any free port)", (listen) => {
    expect(withListen(listen).ok).toBe(true);
  });

  test.each(["127.0.0.1:65536", "127.0.0.1:99999", "localhost", "127.0.0.1:", "::1:80"])("refuses %s", (listen) => {
    const result = withListen(listen);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.diagnostics.map((d) => d.path)).toEqual(["http.listen"]);
  });
});

describe("the CLI", () => {
  test("check exits 1 and prints the diagnostics on stderr", () => {
    const proc = Bun.spawnSync([process.execPath, "src/main.ts", "check", "--config", join(DIR, "unknown-auth.yaml")], {
      env: { ...ENV, PATH: process.env.PATH ?? "" },
    });
    expect(proc.exitCode).toBe(1);
    expect(proc.stderr.toString()).toContain(`routes[0].auth  no auth scheme named "opps" (did you mean "ops"?) (defined: ops, users)`);
  });

  test("check reports an invalid regular expression as a diagnostic, not a stack trace", () => {
    const proc = Bun.spawnSync([process.execPath, "src/main.ts", "check", "--config", join(DIR, "bad-pattern.yaml")], {
      env: { ...ENV, PATH: process.env.PATH ?? "" },
    });
    expect(proc.exitCode).toBe(1);
    const lines = proc.stderr.toString().trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEndWith("bad-pattern.yaml:9:41  error  routes[0].body.version.pattern  not a valid regular expression: missing )");
    expect(lines[2]).toBe("2 errors — not started");
  });

  test("check exits 0 on a valid file", () => {
    const proc = Bun.spawnSync([process.execPath, "src/main.ts", "check", "--config", "routes.yaml"], {
      env: { STANZAGATE_SECRET: "x", PATH: process.env.PATH ?? "" },
    });
    expect(proc.stdout.toString()).toContain("routes.yaml: ok");
    expect(proc.exitCode).toBe(0);
  });

  test("an unknown argument exits 2 with the usage", () => {
    const proc = Bun.spawnSync([process.execPath, "src/main.ts", "--nope"]);
    expect(proc.exitCode).toBe(2);
    expect(proc.stderr.toString()).toContain("Usage: stanzagate");
  });
});
