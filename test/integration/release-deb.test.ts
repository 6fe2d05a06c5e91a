// The amd64 .deb of `make release`, as an administrator uses it: `dpkg -i`, the files where Debian
// puts them, the executable run as the package's stanzagate user on the conffile (its values from
// the environment, as systemd reads them from /etc/stanzagate/stanzagate.env) against a real
// Prosody, `outbox list` by root from anywhere, then `dpkg -r` and `dpkg --purge`. It changes the
// machine (root, dpkg): the package is purged at the end whatever happened.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import pkg from "../../package.json" with { type: "json" };
import { startProsody } from "../../testbed/prosody.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { freePort } from "../../testbed/ports.ts";
import { waitFor } from "../../testbed/timeouts.ts";

const DIST = join(import.meta.dir, "../../dist");
const DEB = join(DIST, `stanzagate_${pkg.version}_amd64.deb`);
const ONLINE_TIMEOUT_MS = 15_000;
const PATH = process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin";

function sh(command: string[], env: Record<string, string> = {}) {
  const r = Bun.spawnSync(command, { env: { PATH, ...env }, cwd: "/", timeout: 120_000 });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

const installed = () => sh(["dpkg-query", "-W", "-f", "${Status}", "stanzagate"]).out.includes("installed");
const ownerOf = (path: string) => sh(["stat", "-c", "%U:%G %a", path]).out.trim();

let prosody: XmppServer | undefined;
let gateway: Subprocess<"ignore", "ignore", "pipe"> | undefined;

beforeAll(() => {
  // A package left by an interrupted run would hide what this install does.
  if (installed()) sh(["dpkg", "--purge", "stanzagate"]);
  const r = sh(["dpkg", "-i", DEB]);
  if (r.code !== 0) throw new Error(`dpkg -i ${DEB} failed (make release builds it):\n${r.out}${r.err}`);
});

afterAll(async () => {
  gateway?.kill("SIGKILL");
  await gateway?.exited;
  await prosody?.stop();
  if (installed() || existsSync("/etc/stanzagate")) sh(["dpkg", "--purge", "stanzagate"]);
});

describe(`dist/stanzagate_${pkg.version}_amd64.deb`, () => {
  test("installs the executable, the unit, the conffile and the copyright where Debian puts them", () => {
    const files = sh(["dpkg", "-L", "stanzagate"])
      .out.trim()
      .split("\n")
      .filter((f) => !statSync(f).isDirectory());
    expect(files.sort()).toEqual([
      "/etc/stanzagate/routes.yaml",
      "/lib/systemd/system/stanzagate.service",
      "/usr/bin/stanzagate",
      "/usr/share/doc/stanzagate/copyright",
    ]);
    expect(sh(["dpkg-query", "-W", "-f", "${Conffiles}", "stanzagate"]).out).toMatch(/^ \/etc\/stanzagate\/routes\.yaml [0-9a-f]{32}$/);
    expect(sh(["/usr/bin/stanzagate", "--version"]).out).toBe(`stanzagate ${pkg.version}\n`);
  });

  test("makes the stanzagate system user, its state directory, and a secret file only root reads", () => {
    expect(sh(["getent", "passwd", "stanzagate"]).out).toMatch(
      /^stanzagate:x:\d{1,3}:\d+:[^:]*:\/var\/lib\/stanzagate:\/usr\/sbin\/nologin\n$/,
    );
    expect(ownerOf("/var/lib/stanzagate")).toBe("stanzagate:stanzagate 700");
    expect(ownerOf("/etc/stanzagate/stanzagate.env")).toBe("root:root 600");
    expect(readFileSync("/etc/stanzagate/stanzagate.env", "utf8")).toMatch(/^STANZAGATE_SECRET=[A-Za-z0-9]{32,40}$/m);
  });

  test("its unit runs the installed executable as the stanzagate user and passes `systemd-analyze verify`", () => {
    const unit = readFileSync("/lib/systemd/system/stanzagate.service", "utf8");
    expect(unit).toContain("ExecStart=/usr/bin/stanzagate --config /etc/stanzagate/routes.yaml\n");
    expect(unit).toContain("User=stanzagate\nGroup=stanzagate\n");
    expect(unit).not.toContain("DynamicUser");
    expect(sh(["systemd-analyze", "verify", "/lib/systemd/system/stanzagate.service"])).toEqual({ code: 0, out: "", err: "" });
  });

  test("the conffile passes `check` run as the stanzagate user with the secret file's environment", () => {
    const secret = /^STANZAGATE_SECRET=(.*)$/m.exec(readFileSync("/etc/stanzagate/stanzagate.env", "utf8"))?.[1] ?? "";
    const r = sh(["runuser", "-u", "stanzagate", "--", "/usr/bin/stanzagate", "check", "--config", "/etc/stanzagate/routes.yaml"], {
      STANZAGATE_SECRET: secret,
    });
    expect(r).toEqual({ code: 0, out: "/etc/stanzagate/routes.yaml: ok (1 route)\n", err: "" });
  });

  test("runs as the stanzagate user against Prosody, its outbox in /var/lib/stanzagate, which root lists from / without the secret", async () => {
    prosody = await startProsody();
    const port = await freePort();
    const env = {
      STANZAGATE_XMPP_SERVER: `xmpp://127.0.0.1:${prosody.componentPort}`,
      STANZAGATE_COMPONENT: prosody.componentDomain,
      STANZAGATE_SECRET: prosody.componentSecret,
      STANZAGATE_HOST: prosody.host,
      STANZAGATE_LISTEN: `127.0.0.1:${port}`,
    };
    // setpriv execs the gateway in its own place (no parent in between): the signal reaches it.
    const asUser = ["setpriv", "--reuid=stanzagate", "--regid=stanzagate", "--init-groups", "--"];
    gateway = Bun.spawn([...asUser, "/usr/bin/stanzagate", "--config", "/etc/stanzagate/routes.yaml"], {
      cwd: "/",
      env: { PATH, ...env },
      stdin: "ignore",
      stdout: "ignore",
      stderr: "pipe",
    });
    await waitOnline(gateway, `http://127.0.0.1:${port}`);
    expect(ownerOf("/var/lib/stanzagate/stanzagate.db")).toMatch(/^stanzagate:stanzagate /);
    expect(sh(["/usr/bin/stanzagate", "outbox", "list", "--config", "/etc/stanzagate/routes.yaml"])).toEqual({
      code: 0,
      out: "queued: 0\ndead letters: 0\n",
      err: "",
    });
    gateway.kill("SIGTERM");
    expect(await gateway.exited).toBe(0);
  });

  test("installing it again, as an upgrade does, keeps the generated secret, an edited conffile and the outbox", () => {
    const env = readFileSync("/etc/stanzagate/stanzagate.env", "utf8");
    sh(["sh", "-c", "echo '# edited' >> /etc/stanzagate/routes.yaml"]);
    expect(sh(["dpkg", "-i", "--force-confold", DEB]).code).toBe(0);
    expect(readFileSync("/etc/stanzagate/stanzagate.env", "utf8")).toBe(env);
    expect(readFileSync("/etc/stanzagate/routes.yaml", "utf8")).toEndWith("# edited\n");
    expect(existsSync("/var/lib/stanzagate/stanzagate.db")).toBe(true);
    expect(ownerOf("/var/lib/stanzagate")).toBe("stanzagate:stanzagate 700");
  });

  test("`dpkg -r` keeps the configuration and the outbox; `dpkg --purge` leaves nothing, not even the user", () => {
    expect(sh(["dpkg", "-r", "stanzagate"]).code).toBe(0);
    expect(["/usr/bin/stanzagate", "/lib/systemd/system/stanzagate.service"].filter(existsSync)).toEqual([]);
    expect(
      ["/etc/stanzagate/routes.yaml", "/etc/stanzagate/stanzagate.env", "/var/lib/stanzagate/stanzagate.db"].filter(existsSync),
    ).toHaveLength(3);
    expect(sh(["dpkg", "--purge", "stanzagate"]).code).toBe(0);
    expect(["/etc/stanzagate", "/var/lib/stanzagate", "/usr/share/doc/stanzagate"].filter(existsSync)).toEqual([]);
    expect(sh(["getent", "passwd", "stanzagate"]).code).toBe(2);
    expect(sh(["getent", "group", "stanzagate"]).code).toBe(2);
    expect(installed()).toBe(false);
  });
});

describe("the other release packages", () => {
  const sha256 = (command: string) => sh(["sh", "-c", `${command} | sha256sum`]).out.split(" ")[0];

  test("the arm64 .deb carries the arm64 executable `make release` built, not a rebuild", () => {
    const deb = join(DIST, `stanzagate_${pkg.version}_arm64.deb`);
    expect(sh(["dpkg-deb", "-f", deb, "Package", "Architecture"]).out).toBe("Package: stanzagate\nArchitecture: arm64\n");
    expect(sha256(`dpkg-deb --fsys-tarfile ${deb} | tar -xO ./usr/bin/stanzagate`)).toBe(
      sha256(`cat ${join(DIST, "stanzagate-linux-arm64")}`),
    );
  });

  test("each .tar.gz holds the executable, the unit, the example routes.yaml and the LICENSE in one directory", () => {
    for (const arch of ["x64", "arm64"]) {
      const name = `stanzagate-${pkg.version}-linux-${arch}`;
      const files = sh(["tar", "-tzf", join(DIST, `${name}.tar.gz`)])
        .out.trim()
        .split("\n")
        .sort();
      expect(files).toEqual([`${name}/`, `${name}/LICENSE`, `${name}/routes.yaml`, `${name}/stanzagate`, `${name}/stanzagate.service`]);
    }
  });

  test("SHA256SUMS covers both executables, both .deb and both .tar.gz, and each matches", () => {
    const r = Bun.spawnSync(["sha256sum", "-c", "SHA256SUMS"], { cwd: DIST });
    const ok = r.stdout.toString().trim().split("\n").sort();
    const v = pkg.version;
    expect(ok).toEqual([
      `stanzagate-${v}-linux-arm64.tar.gz: OK`,
      `stanzagate-${v}-linux-x64.tar.gz: OK`,
      "stanzagate-linux-arm64: OK",
      "stanzagate-linux-x64: OK",
      `stanzagate_${v}_amd64.deb: OK`,
      `stanzagate_${v}_arm64.deb: OK`,
    ]);
    expect(r.exitCode).toBe(0);
  });
});

async function waitOnline(proc: Subprocess<"ignore", "ignore", "pipe">, url: string): Promise<void> {
  const online = async () => {
    const status = await fetch(`${url}/health`).then(
      (r) => r.status,
      () => 0,
    );
    if (status !== 200 && proc.exitCode !== null) throw new Error(`exited ${proc.exitCode}: ${await new Response(proc.stderr).text()}`);
    return status === 200;
  };
  await waitFor(online, ONLINE_TIMEOUT_MS, "the packaged gateway to come online", undefined, 50);
}
