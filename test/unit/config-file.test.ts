// How every command reads routes.yaml from disk (src/cli/config-file.ts).
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readConfigFile, resolveStorePath } from "../../src/cli/config-file.ts";

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "sg-cf-")), "routes.yaml");
  writeFileSync(file, text);
  return file;
}

const HEAD = `xmpp: { server: "xmpp://127.0.0.1:5347", component: gw.localhost, secret: "\${STANZAGATE_SECRET}", host: localhost }\n`;

describe("resolveStorePath", () => {
  test("a relative store is beside the config file, whatever the working directory", () => {
    expect(resolveStorePath("/etc/stanzagate/routes.yaml", "./stanzagate.db")).toBe("/etc/stanzagate/stanzagate.db");
    expect(resolveStorePath("/etc/stanzagate/routes.yaml", "../../var/lib/stanzagate/s.db")).toBe("/var/lib/stanzagate/s.db");
    expect(resolveStorePath("routes.yaml", "s.db")).toBe(join(process.cwd(), "s.db"));
  });

  test("an absolute store and :memory: are kept as written", () => {
    expect(resolveStorePath("/etc/stanzagate/routes.yaml", "/var/lib/stanzagate/stanzagate.db")).toBe("/var/lib/stanzagate/stanzagate.db");
    expect(resolveStorePath("/etc/stanzagate/routes.yaml", ":memory:")).toBe(":memory:");
  });
});

describe("readConfigFile", () => {
  test("gives the gateway the store resolved against the config file", async () => {
    const file = configFile(`${HEAD}store: data/s.db\n`);
    const read = await readConfigFile(file, { STANZAGATE_SECRET: "s" });
    expect(read.ok && read.config.store).toBe(join(file, "../data/s.db"));
  });

  test("an unset variable fails a strict read (check, serve) and not an offline one (outbox, render)", async () => {
    const file = configFile(HEAD);
    expect(await readConfigFile(file, {})).toMatchObject({
      ok: false,
      errors: [expect.stringContaining("environment variable STANZAGATE_SECRET is not set"), "1 error — not started"],
    });
    expect(await readConfigFile(file, {}, { offline: true })).toMatchObject({ ok: true });
  });

  test("offline, a variable with a fallback keeps its fallback", async () => {
    const file = configFile(`${HEAD}store: "\${STATE:-/var/lib/sg}/s.db"\n`);
    const read = await readConfigFile(file, {}, { offline: true });
    expect(read.ok && read.config.store).toBe("/var/lib/sg/s.db");
  });

  test("offline, a placeholder that does not fit where it is used falls back to the strict read's errors", async () => {
    const file = configFile(`xmpp: { server: "\${SERVER}", component: gw.localhost, secret: s, host: localhost }\n`);
    expect(await readConfigFile(file, {}, { offline: true })).toMatchObject({
      ok: false,
      errors: [expect.stringContaining("environment variable SERVER is not set"), "1 error — not started"],
    });
  });
});
