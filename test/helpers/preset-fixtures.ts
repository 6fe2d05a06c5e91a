// The recorded payloads of each preset's source (src/features/presets/PRESET/fixtures/EVENT[-variant].json),
// with the event header the source sends alongside (the folder's about.yaml names it), and how a
// test sender authenticates as that source does: all read from the preset's folder.
import { createHmac } from "node:crypto";
import { eventHeaders, goldenPath, type PresetFolder, presetFolders } from "../../src/features/presets/about.ts";
import { join } from "node:path";

export interface PresetFixture {
  preset: string;
  file: string;
  /** The preset's folder: its default path, its about.yaml. */
  folder: PresetFolder;
  headers: Array<[string, string]>;
  /** Where its golden message is (golden/EVENT[-variant].expected). */
  golden: string;
  /** The payload, parsed. */
  json(): Promise<unknown>;
  bytes(): Promise<Uint8Array>;
}

export function presetFixtures(): PresetFixture[] {
  return presetFolders().flatMap((folder) =>
    folder.fixtures.map((file) => {
      const path = join(folder.dir, "fixtures", file);
      return {
        preset: folder.name,
        file,
        folder,
        headers: eventHeaders(folder, file),
        golden: goldenPath(folder, file),
        json: () => Bun.file(path).json() as Promise<unknown>,
        bytes: () => Bun.file(path).bytes(),
      };
    }),
  );
}

/** One preset's fixture by its file name. */
export function presetFixture(preset: string, file: string): PresetFixture {
  const found = presetFixtures().find((f) => f.preset === preset && f.file === file);
  if (!found) throw new Error(`no fixture ${preset}/${file}`);
  return found;
}

/** The preset's auth scheme as about.yaml pairs it, each ${VAR} replaced by `secret`. */
export function senderAuth(folder: PresetFolder, secret: string): string {
  return JSON.stringify(folder.about.sender.auth).replace(/\$\{[A-Za-z_][A-Za-z0-9_]*\}/g, secret);
}

/** The headers the source adds to `body` to authenticate with `secret` (about.yaml's `sends`). */
export function senderCredentials(folder: PresetFolder, secret: string, body: Uint8Array): Record<string, string> {
  const hmac = createHmac("sha256", secret).update(body).digest("hex");
  return Object.fromEntries(
    Object.entries(folder.about.sender.sends).map(([header, value]) => [
      header.toLowerCase(),
      value.replaceAll("{hmac}", hmac).replaceAll("{secret}", secret),
    ]),
  );
}

/** A body with only the fields the preset's `body:` requires, each a value of its type. */
export function requiredOnly(folder: PresetFolder): Record<string, unknown> {
  const sample = (spec: unknown): unknown => {
    const s = typeof spec === "string" ? { type: spec } : (spec as { type?: string; enum?: unknown[] });
    if (s.enum?.length) return s.enum[0];
    return s.type === "object" ? {} : s.type === "array" ? [] : s.type === "string" ? "x" : 0;
  };
  return Object.fromEntries(Object.entries(folder.route.body ?? {}).map(([key, spec]) => [key, sample(spec)]));
}
