// `stanzagate init` on a new machine: the routes.yaml it writes and the server lines it prints,
// added to a real Prosody's and ejabberd's config as an administrator adds them, are all it takes
// for the gateway to come online with the privileges its starter route needs.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { freePort } from "../../testbed/ports.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { testServers, type ServerOptions, type TestServerKind } from "../helpers/servers.ts";
import { waitFor } from "../../testbed/timeouts.ts";

const ROOT = join(import.meta.dir, "../..");
const CLI = process.env.STANZAGATE_BIN ? [process.env.STANZAGATE_BIN] : [process.execPath, join(ROOT, "src/main.ts")];
const ONLINE_TIMEOUT_MS = 15_000;

/** The printed snippets by their heading line (`-- prosody.cfg.lua: at the end`, `# ejabberd.yml: ...`), up to the next steps. */
function snippets(stdout: string): Map<string, string> {
  const parts = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stdout.split("\n")) {
    if (/^(--|#) (prosody\.cfg\.lua|ejabberd\.yml): /.test(line)) parts.set(line, (current = []));
    else if (line.startsWith("Then restart")) current = undefined;
    else current?.push(line);
  }
  return new Map([...parts].map(([heading, lines]) => [heading, lines.join("\n")]));
}

/** The test bed's own component is elsewhere (testbed.localhost): the gateway's is only what init printed. */
function serverOptions(kind: TestServerKind, port: number, printed: Map<string, string>): ServerOptions {
  const base = { componentDomain: "testbed.localhost" };
  if (kind.name === "ejabberd") return { ...base, privileges: null, ejabberd: { extraConfig: [...printed.values()].join("\n") } };
  // An empty grant still loads mod_privilege on the VirtualHost: the one edit init asks for by hand.
  return {
    ...base,
    privileges: {},
    prosody: {
      componentPort: port,
      extraGlobalConfig: printed.get("-- prosody.cfg.lua: in the global section, before the first VirtualHost") ?? "",
      extraConfig: printed.get("-- prosody.cfg.lua: at the end") ?? "",
    },
  };
}

async function health(url: string): Promise<{ status: number; privileges?: { message?: string } } | undefined> {
  try {
    const res = await fetch(`${url}/health`);
    const body = (await res.json()) as { xmpp?: { privileges?: { message?: string } } };
    return { status: res.status, ...(body.xmpp?.privileges ? { privileges: body.xmpp.privileges } : {}) };
  } catch {
    return undefined;
  }
}

for (const kind of testServers()) {
  describe(`stanzagate init --server ${kind.name}`, () => {
    let server: XmppServer | undefined;
    let gateway: Subprocess<"ignore", "ignore", "pipe"> | undefined;
    afterAll(async () => {
      gateway?.kill("SIGKILL");
      await gateway?.exited;
      await server?.stop();
    });

    test("its routes.yaml and printed lines bring the gateway online, granted what post_msg needs (XEP-0356)", async () => {
      const dir = mkdtempSync(join(tmpdir(), "sg-init-"));
      const [componentPort, httpPort] = [await freePort(), await freePort()];
      const file = join(dir, "routes.yaml");
      const init = Bun.spawnSync(
        [...CLI, "init", "--server", kind.name, "--port", String(componentPort), "--listen", `127.0.0.1:${httpPort}`, "--config", file],
        { env: {} },
      );
      expect({ code: init.exitCode, err: init.stderr.toString() }).toEqual({ code: 0, err: "" });
      const printed = snippets(init.stdout.toString());
      const check = Bun.spawnSync([...CLI, "check", "--config", file], { env: {} });
      expect({ code: check.exitCode, out: check.stdout.toString(), err: check.stderr.toString() }).toEqual({
        code: 0,
        out: `${file}: ok (1 route)\n`,
        err: "",
      });

      server = await kind.start(serverOptions(kind, componentPort, printed));
      gateway = Bun.spawn([...CLI, "--config", file], { cwd: dir, env: {}, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
      const url = `http://127.0.0.1:${httpPort}`;
      let seen = await health(url);
      const online = async (proc: Subprocess<"ignore", "ignore", "pipe">) => {
        seen = await health(url);
        if (seen?.status === 200 && seen.privileges?.message === "outgoing") return true;
        if (proc.exitCode !== null)
          throw new Error(`exited ${proc.exitCode} (${JSON.stringify(seen)}): ${await new Response(proc.stderr).text()}`);
        return false;
      };
      await waitFor(
        () => online(gateway!),
        ONLINE_TIMEOUT_MS,
        "online and privileged",
        () => JSON.stringify(seen),
        50,
      );

      // The users' passwords are checked on the server's client port, 5222 by default: the test
      // bed's is elsewhere, so the route is shown to be served and to ask who is calling.
      const res = await fetch(`${url}/msg/bob`, { method: "POST", headers: { "content-type": "text/plain" }, body: "Hello" });
      expect(res.status).toBe(401);
    });
  });
}
