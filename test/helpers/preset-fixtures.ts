// The recorded payloads of each preset's source (test/fixtures/presets/PRESET/EVENT[-variant].json),
// with the event header the source sends alongside: the file name up to its first "-" or ".".
import { readdirSync } from "node:fs";
import { join } from "node:path";

const PRESET_FIXTURES = join(import.meta.dir, "../fixtures/presets");

const EVENT_HEADER: Record<string, string> = { github: "x-github-event", gitea: "x-gitea-event" };

export interface PresetFixture {
  preset: string;
  file: string;
  headers: Array<[string, string]>;
  /** The payload, parsed. */
  json(): Promise<unknown>;
  bytes(): Promise<Uint8Array>;
}

export function presetFixtures(): PresetFixture[] {
  return readdirSync(PRESET_FIXTURES)
    .sort()
    .flatMap((preset) =>
      readdirSync(join(PRESET_FIXTURES, preset))
        .sort()
        .map((file) => {
          const header = EVENT_HEADER[preset];
          const path = join(PRESET_FIXTURES, preset, file);
          return {
            preset,
            file,
            headers: header ? [[header, file.replace(/[-.].*$/, "")] as [string, string]] : [],
            json: () => Bun.file(path).json() as Promise<unknown>,
            bytes: () => Bun.file(path).bytes(),
          };
        }),
    );
}
