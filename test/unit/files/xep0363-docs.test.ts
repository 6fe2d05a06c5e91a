// docs/files-xep0363.md shows the server settings the integration tests run with: its Prosody and
// ejabberd snippets are what the test bed's renderers make for example.com (testbed/*-config.ts),
// so the page cannot drift from what was tested.
import { expect, test } from "bun:test";
import { join } from "node:path";
import YAML from "yaml";
import { httpUploadSample } from "../../../testbed/ejabberd-config.ts";
import { httpFileShareSample } from "../../../testbed/prosody-config.ts";
import { resolveUpload } from "../../../testbed/http-upload.ts";

const PAGE = await Bun.file(join(import.meta.dir, "../../../docs/files-xep0363.md")).text();
const block = (fence: string) => PAGE.split(`\n${fence}\n`)[1]?.split("\n```")[0] ?? "";
const MAX = 15 * 1_048_576;
const upload = resolveUpload({ maxFileBytes: MAX }, "example.com", "gateway.example.com");

test("the Prosody snippet is the upload component the test bed runs", () => {
  if (!upload) throw new Error("no upload settings");
  expect(block("```lua")).toContain(httpFileShareSample(upload.domain, upload.allow, MAX).join("\n"));
});

test("the ejabberd snippet has the ACL, rule and mod_http_upload options the test bed runs, and routes /upload to it", () => {
  if (!upload) throw new Error("no upload settings");
  const doc = YAML.parse(block("```yaml file=ejabberd.yml")) as Record<string, unknown> & { listen: Array<Record<string, unknown>> };
  const tested = httpUploadSample(upload, "https://example.com:5443/upload", "/var/lib/ejabberd/upload");
  expect({ acl: doc.acl, access_rules: doc.access_rules, modules: doc.modules }).toEqual(tested);
  expect(doc.listen.map((l) => l.request_handlers)).toEqual([{ "/upload": "mod_http_upload" }]);
});
