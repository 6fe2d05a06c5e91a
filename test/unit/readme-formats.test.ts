// README.md's "What a person sees": one example per sender format, its message quoted from the
// golden transcripts, written by scripts/readme-formats.ts (`bun scripts/config-reference.ts
// --write`, run by `make golden`). When a golden changes, the README follows or this fails.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { section } from "../../scripts/config-reference.ts";
import { EXAMPLES, firstMessage, readmeFormatsSection } from "../../scripts/readme-formats.ts";
import { FEATURE_REGISTRY } from "../../src/features/index.ts";

test("the README's examples are what the script writes from the current goldens", async () => {
  const readme = await Bun.file(join(import.meta.dir, "../../README.md")).text();
  // Differs: run `bun scripts/config-reference.ts --write` (or `make golden`), then review README.md.
  expect(section(readme, "formats-seen")).toBe(readmeFormatsSection());
});

test("every sender format has its example in the README, and every example is a format", () => {
  const formats = FEATURE_REGISTRY.routeKinds.flatMap((k) => (k.key === "preset" && k.value ? [k.value] : []));
  expect(EXAMPLES.map((e) => e.preset).sort()).toEqual(formats.sort());
});

test("the message quoted is the first one of a transcript, in either shape, blank lines kept", () => {
  expect(firstMessage('HTTP 200 "ok"\n\nto a@localhost:\n*T*\n\nline\n\nto b@localhost:\nother\n')).toBe("*T*\n\nline");
  expect(firstMessage('{\n  "id": 1\n}\n--- to ops@localhost\n❗ *nas01*\ntext\n--- to b@localhost\nx\n')).toBe("❗ *nas01*\ntext");
  expect(() => firstMessage('HTTP 204 ""\n')).toThrow("no message");
});
