// The curl examples of plugins/post_msg/README.md work as written against `make demo`: here they
// run against a gateway configured like the demo (post_msg at /msg, auth of kind xmpp, users
// alice/alice-pw and bob/bob-pw on localhost), with only the demo's address replaced.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { serverKind } from "../../helpers/servers.ts";
import { useTestBed } from "../../helpers/bed.ts";
import { allOf, isFrom, messageWithBody } from "../../../testbed/xmpp-client.ts";

const DEMO_URL = "http://127.0.0.1:5280";

const bed = useTestBed(serverKind("prosody"), {
  server: { users: { alice: "alice-pw", bob: "bob-pw", carol: "carol-pw" } },
  gateway: (xmpp) => ({
    routes: `
auth:
  users: { kind: xmpp, server: "xmpp://127.0.0.1:${xmpp.c2sPort}" }
routes:
  - plugin: post_msg
    path: /msg
    auth: users
`,
    waitForPrivileges: true,
  }),
  clients: ["bob"],
});

/** The curl commands of the README's first example block, continuation lines joined. */
async function readmeExamples(): Promise<string[]> {
  const readme = await Bun.file(join(import.meta.dir, "../../../plugins/post_msg/README.md")).text();
  const after = readme.slice(readme.indexOf("Examples (`-u` gives Basic auth)"));
  const block = /```sh\n([\s\S]*?)```/.exec(after)?.[1] ?? "";
  return block
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .filter((line) => line.startsWith("curl "));
}

test("every curl example for the demo succeeds, and bob receives the messages from alice", async () => {
  const commands = await readmeExamples();
  expect(commands.length).toBe(4);
  const statuses: string[] = [];
  for (const command of commands) {
    expect(command).toContain(DEMO_URL);
    // Not spawnSync: the gateway answering curl runs in this process's event loop.
    const run = Bun.spawn(["sh", "-c", `${command.replaceAll(DEMO_URL, bed.gw.url)} -s -m 10 -o /dev/null -w '%{http_code}'`], {
      stdout: "pipe",
    });
    statuses.push(await new Response(run.stdout).text());
    await run.exited;
  }
  expect(statuses).toEqual(["201", "201", "201", "200"]);
  for (const text of ["Server@host has just crashed!", "Disk full", "Build 42 passed"]) {
    await bed.bob.nextStanza(allOf(isFrom("alice@localhost"), messageWithBody(text)));
  }
}, 30_000);
