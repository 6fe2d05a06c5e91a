// The recorded Discord payloads (test/fixtures/formats/discord/NAME.json) as their senders post them: JSON,
// or, when an embed shows `attachment://FILE` (Grafana's panel images), multipart/form-data with
// the JSON in `payload_json` and each file in a part whose form name is empty, as Grafana writes it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const FIXTURES = join(import.meta.dir, "../fixtures/formats/discord");

/** A PNG's signature and a few bytes: what the message says of the file is its name, type and size. */
const TINY_PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

export interface DiscordFixture {
  name: string;
  /** The payload's JSON text, as recorded. */
  payload: string;
  /** The request init its sender would POST. */
  init(): RequestInit;
}

/** The recorded payload NAME (test/fixtures/formats/discord/NAME.json). */
export const discordFixture = (name: string): DiscordFixture => {
  const found = discordFixtures().find((f) => f.name === name);
  if (!found) throw new Error(`no discord fixture ${name}`);
  return found;
};

export function discordFixtures(): DiscordFixture[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => {
      const text = readFileSync(join(FIXTURES, file), "utf8");
      const files = [...text.matchAll(/attachment:\/\/([^"]+)/g)].map((m) => m[1] as string);
      return { name: file.replace(/\.json$/, ""), payload: text, init: () => (files.length ? multipart(text, files) : json(text)) };
    });
}

const json = (text: string): RequestInit => ({ method: "POST", headers: { "content-type": "application/json" }, body: text });

/** Go's mime/multipart as Grafana uses it: CreateFormField("payload_json"), then CreateFormFile("", name), each holding `bytes`. */
export function multipart(payloadJson: string, files: readonly string[], fileField = "", bytes: Uint8Array = TINY_PNG): RequestInit {
  const boundary = "a9c3f1e2b7d64c0f8e5a1b2c3d4e5f60718293a4b5c6d7e8f9";
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [
    enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="payload_json"\r\n\r\n${payloadJson}\r\n`),
  ];
  for (const name of files)
    chunks.push(
      enc.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      bytes,
      enc.encode("\r\n"),
    );
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  return { method: "POST", headers: { "content-type": `multipart/form-data; boundary=${boundary}` }, body: Buffer.concat(chunks) };
}
