// Recorded payloads of the senders of a format (test/fixtures/FORMAT/SENDER-EVENT.json) and
// the message text a client must show for each (test/golden/FORMAT/SENDER-EVENT.expected).
import { readdirSync } from "node:fs";
import { join } from "node:path";

const FIXTURES = join(import.meta.dir, "../fixtures");
const GOLDEN = join(import.meta.dir, "../golden");

export interface FormatFixture {
  format: string;
  file: string;
  bytes(): Promise<Uint8Array>;
  json(): Promise<Record<string, unknown>>;
  /** Where the expected message text is. */
  golden: string;
}

export function formatFixtures(format: string): FormatFixture[] {
  return readdirSync(join(FIXTURES, format))
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => {
      const path = join(FIXTURES, format, file);
      return {
        format,
        file,
        bytes: () => Bun.file(path).bytes(),
        json: () => Bun.file(path).json() as Promise<Record<string, unknown>>,
        golden: join(GOLDEN, format, file.replace(/\.json$/, ".expected")),
      };
    });
}
