// docs/servers.md gives a complete prosody.cfg.lua and ejabberd.yml. Prosody's passes
// `prosodyctl check config`; ejabberd 23.01 starts with the ejabberd.yml (its ports moved to free
// loopback ones, its certificate left out: there is none here) and grants the gateway, which
// connects with the file's domain and secret, the XEP-0356 privileges the file names.
import { afterAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { component } from "@xmpp/component";
import type { Element } from "ltx";
import type { Subprocess } from "bun";
import YAML from "yaml";
import { ejabberdPaths } from "../../../testbed/ejabberd-config.ts";
import { findEjabberd, spawnEjabberd, terminate, waitUntilReady } from "../../../testbed/ejabberd-process.ts";
import { freePorts } from "../../../testbed/ports.ts";
import { testServers } from "../../helpers/servers.ts";

const NS_PRIVILEGE_1 = "urn:xmpp:privilege:1";
const SERVERS = await Bun.file(join(import.meta.dir, "../../../docs/servers.md")).text();
const block = (fence: string) => SERVERS.split(`\n${fence}\n`)[1]?.split("\n```")[0] ?? "";

let ejabberd: Subprocess | undefined;
const ejabberdDir = mkdtempSync(join(tmpdir(), "sg-docs-ejabberd-"));
afterAll(async () => {
  if (ejabberd) await terminate(ejabberd);
  rmSync(ejabberdDir, { recursive: true, force: true });
});

const wanted = new Set(testServers().map((s) => s.name));

test.if(wanted.has("prosody"))("the prosody.cfg.lua of docs/servers.md passes prosodyctl check config", () => {
  const dir = mkdtempSync(join(tmpdir(), "sg-docs-prosody-"));
  chmodSync(dir, 0o755); // prosodyctl checks that the prosody user can read the file
  mkdirSync(join(dir, "certs"));
  writeFileSync(join(dir, "prosody.cfg.lua"), block("```lua"), { mode: 0o644 });
  const run = Bun.spawnSync(["prosodyctl", "--config", join(dir, "prosody.cfg.lua"), "check", "config"], { cwd: dir });
  const out = run.stdout.toString() + run.stderr.toString();
  rmSync(dir, { recursive: true, force: true });
  expect({ code: run.exitCode, out }).toEqual({ code: 0, out: expect.stringContaining("All checks passed") });
});

test.if(wanted.has("ejabberd"))(
  "ejabberd starts with the ejabberd.yml of docs/servers.md and grants the gateway what it names",
  async () => {
    const dir = ejabberdDir;
    const paths = ejabberdPaths(dir);
    mkdirSync(paths.spoolDir);
    const [c2s, componentPort] = await freePorts(2);
    const config = YAML.parse(block("```yaml file=ejabberd.yml")) as {
      certfiles?: string[];
      listen: Array<{ port: number; ip: string; module: string }>;
    };
    delete config.certfiles;
    for (const listener of config.listen)
      Object.assign(listener, { ip: "127.0.0.1", port: listener.module === "ejabberd_service" ? componentPort : c2s });
    writeFileSync(paths.configFile, YAML.stringify(config));
    ejabberd = spawnEjabberd(findEjabberd(), paths, dir);
    await waitUntilReady(ejabberd, { ports: [c2s as number, componentPort as number], paths, logOffset: 0 });

    const gateway = component({ service: `xmpp://127.0.0.1:${componentPort}`, domain: "gateway.example.com", password: "the secret" });
    gateway.reconnect.stop();
    // ejabberd 23.01 speaks XEP-0356 0.2 (urn:xmpp:privilege:1), advertised right after the handshake.
    const advertised = new Promise<Element>((resolve) =>
      gateway.on("stanza", (s: Element) => void (s.getChild("privilege", NS_PRIVILEGE_1) && resolve(s))),
    );
    await gateway.start();
    const perms = Object.fromEntries(
      ((await advertised).getChild("privilege", NS_PRIVILEGE_1)?.getChildren("perm") ?? []).map((p: Element) => [
        p.attrs.access,
        p.attrs.type,
      ]),
    );
    await gateway.stop();
    expect(perms).toEqual({ roster: "both", message: "outgoing", presence: "managed_entity" });
  },
  90_000,
);
