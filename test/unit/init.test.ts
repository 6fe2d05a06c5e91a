// `stanzagate init`: a starter routes.yaml that `check` accepts, never written over by accident,
// and the server lines for the same domain, secret and port.
import { describe, expect, test } from "bun:test";
import { chmodSync, lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, USAGE } from "../../src/cli/args.ts";
import { readConfigFile } from "../../src/cli/config-file.ts";
import { initCommand, type InitArgs } from "../../src/cli/init.ts";

const DEFAULTS: InitArgs = { server: "prosody", port: 5347, force: false };

function run(args: Partial<InitArgs> = {}, file = join(mkdtempSync(join(tmpdir(), "sg-init-")), "routes.yaml")) {
  const lines = { out: [] as string[], err: [] as string[] };
  const code = initCommand(file, { ...DEFAULTS, ...args }, { out: (l) => void lines.out.push(l), err: (l) => void lines.err.push(l) });
  return { code, file, out: lines.out.join("\n"), err: lines.err.join("\n") };
}

describe("stanzagate init", () => {
  test("is listed by --help and parses its options", () => {
    expect(USAGE).toContain("  init ");
    expect(
      parseArgs(["init", "--domain", "gw.example.com", "--server", "ejabberd", "--port", "5348", "--force", "--config", "r.yaml"]),
    ).toEqual({
      command: "init",
      config: "r.yaml",
      init: { server: "ejabberd", port: 5348, force: true, domain: "gw.example.com" },
    });
    expect(parseArgs(["init", "--server", "openfire"])).toEqual({ error: "--server is prosody or ejabberd, not openfire" });
    expect(parseArgs(["init", "--port", "70000"])).toEqual({ error: "--port needs a port number (1-65535), not 70000" });
    expect(parseArgs(["init", "--domain", "bad domain"])).toMatchObject({ error: expect.stringContaining("--domain needs a domain name") });
    expect(parseArgs(["init", "--domain", "localhost"])).toMatchObject({ error: expect.stringContaining("--host") });
  });

  test("writes a routes.yaml that check accepts, readable by its owner only, with a strong random secret", async () => {
    const r = run({ domain: "gw.example.com" });
    expect(r.code).toBe(0);
    const read = await readConfigFile(r.file, {});
    expect(read).toMatchObject({ ok: true, warnings: [] });
    if (!read.ok) return;
    expect(read.config.xmpp).toMatchObject({ component: "gw.example.com", host: "example.com", server: "xmpp://127.0.0.1:5347" });
    expect(read.config.xmpp.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(r.file).mode & 0o777).toBe(0o600);
  });

  test("never overwrites a file unless --force", () => {
    const file = join(mkdtempSync(join(tmpdir(), "sg-init-")), "routes.yaml");
    writeFileSync(file, "mine\n");
    expect(run({}, file)).toMatchObject({
      code: 1,
      err: `${file} exists: not overwritten (--force replaces it, or --config FILE writes another)`,
    });
    expect(readFileSync(file, "utf8")).toBe("mine\n");
    expect(run({ force: true }, file).code).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("plugin: post_msg");
  });

  test("a directory that is missing or cannot be written is one error line, never a crash", () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-init-"));
    expect(run({}, join(dir, "missing", "routes.yaml"))).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^cannot write .*routes\.yaml: ENOENT/),
      out: "",
    });
    expect(run({ force: true }, dir)).toMatchObject({ code: 1, err: expect.stringMatching(/^cannot write .*: (EISDIR|EEXIST|ENOTEMPTY)/) });
  });

  test("--force leaves a file readable by its owner only, and replaces a symlink instead of writing through it", () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-init-"));
    const open = join(dir, "routes.yaml");
    writeFileSync(open, "mine\n");
    chmodSync(open, 0o644);
    expect(run({ force: true }, open).code).toBe(0);
    expect(statSync(open).mode & 0o777).toBe(0o600);
    const link = join(dir, "linked.yaml");
    symlinkSync(join(dir, "elsewhere.yaml"), link);
    expect(run({}, link)).toMatchObject({ code: 1 });
    expect(run({ force: true }, link).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
  });

  test("prints Prosody's lines with the same domain, secret and port, the secret as a Lua string", async () => {
    const r = run({ secret: 'a "b" ${X}', port: 15347 });
    expect(r.out).toContain("-- prosody.cfg.lua: in the global section, before the first VirtualHost\ncomponent_ports = { 15347 }");
    expect(r.out).toContain('Component "gateway.localhost"\n    component_secret = "a \\034b\\034 ${X}"');
    expect(r.out).toContain('VirtualHost "localhost"');
    expect(r.out).toContain('["gateway.localhost"] = {');
    // ${ in a given secret is written as the literal $${ in YAML, not read from the environment.
    expect(await readConfigFile(r.file, {})).toMatchObject({
      ok: true,
      config: { xmpp: { secret: 'a "b" ${X}', server: "xmpp://127.0.0.1:15347" } },
    });
  });

  test("prints ejabberd's listener, ACL and mod_privilege rules for the same component", () => {
    const r = run({ server: "ejabberd", domain: "gw.example.com", secret: "s3cret" });
    expect(r.out).toContain(
      '# ejabberd.yml: this item in listen\nlisten:\n  - port: 5347\n    ip: "127.0.0.1"\n    module: ejabberd_service\n    hosts:\n      gw.example.com:\n        password: "s3cret"',
    );
    expect(r.out).toContain("# ejabberd.yml: this entry in acl\nacl:\n  gateway:\n    server: gw.example.com");
    expect(r.out).toContain("      outgoing:\n        - allow: gateway");
  });
});
