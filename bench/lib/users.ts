/**
 * Many accounts at once for the roster benchmark. prosodyctl takes ~50 ms an account; Prosody's
 * internal storage keeps one small Lua file per account, and mod_privilege only asks whether the
 * account exists, so the files are written directly (the accounts cannot log in: no SCRAM keys).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { XmppServer } from "../../testbed/xmpp-server.ts";

export async function registerUsers(prosody: XmppServer, users: readonly string[]): Promise<void> {
  const dir = join(prosody.dir, "data", encode(prosody.host), "accounts");
  mkdirSync(dir, { recursive: true });
  for (const user of users)
    writeFileSync(join(dir, `${encode(user)}.dat`), `return {\n\t["created"] = ${Math.floor(Date.now() / 1000)};\n};\n`);
}

/** Prosody's datamanager file name encoding: everything but [A-Za-z0-9] becomes %XX. */
function encode(s: string): string {
  return s.replace(/[^A-Za-z0-9]/g, (c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0"));
}
