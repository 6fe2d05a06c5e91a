// Apprise's files (issue 21): json://'s attachments[] (base64, as `apprise --attach` sends them with
// apprise 1.2.0's NotifyJSON.py) are decoded into the file store; the Apprise API's multipart file
// parts (`attach`, `attachN`, `attachment`) stream into it; URLs in `attach` are remote attachments
// (links by default). Unit tier: the store is a temp-dir FilesPort (test/helpers/temp-files.ts).
import { afterEach, describe, expect, test } from "bun:test";
import { readApiPayload, readJsonPayload } from "../../../../src/features/apprise/read.ts";
import { GatewayError } from "../../../../src/plugin-api/errors.ts";
import { tempFiles, type TempFiles } from "../../../helpers/temp-files.ts";
import { sha256 } from "../../../helpers/file-store.ts";

let store: TempFiles;
afterEach(() => store?.remove());

const json = (body: unknown) =>
  new Request("http://gw/apprise", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function refusal(read: Promise<unknown>): Promise<string> {
  const err = await read.catch((e: unknown) => e);
  if (!(err instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(err)}`);
  return `${err.status} ${err.code}: ${err.message}`;
}

describe("json:// attachments[]", () => {
  test("each base64 file is decoded into the store under its filename; the message's attachments are the stored files", async () => {
    store = tempFiles();
    const df = "Filesystem      Size  Used Avail Use% Mounted on\n/dev/sda1        20G   18G  2.0G  91% /\n";
    const payload = {
      version: "1.0",
      title: "nas01",
      message: "Disk is 91% full",
      type: "warning",
      attachments: [
        { filename: "df.txt", base64: Buffer.from(df).toString("base64"), mimetype: "text/plain" },
        { filename: "empty.log", base64: "", mimetype: "text/plain" },
      ],
    };
    const m = await readJsonPayload(json(payload), 100_000, { files: store, sender: "basic:apprise" });
    expect(store.stored.map((f) => [f.name, f.size, f.sha256, f.sender])).toEqual([
      ["df.txt", df.length, sha256(Buffer.from(df)), "basic:apprise"],
      ["empty.log", 0, sha256(new Uint8Array(0)), "basic:apprise"],
    ]);
    expect(m.attachments).toEqual(store.stored.map(({ sender: _, ...file }) => ({ kind: "file", file })));
  });

  test("an attachment given by url (a `:attachments=` override) is a remote attachment, not stored", async () => {
    store = tempFiles();
    const m = await readJsonPayload(
      json({ message: "m", attachments: [{ filename: "cam.jpg", url: "https://cam.example/now.jpg" }] }),
      10_000,
      {
        files: store,
        sender: "s",
      },
    );
    expect(m.attachments).toEqual([{ kind: "link", url: "https://cam.example/now.jpg", name: "cam.jpg" }]);
    expect(store.stored).toEqual([]);
  });

  test("what is not base64 is 400 naming the attachment; attachments off is ATTACHMENTS_OFF; nothing is stored", async () => {
    store = tempFiles();
    const bad = json({ message: "m", attachments: [{ filename: "x", base64: "not base64!" }] });
    expect(await refusal(readJsonPayload(bad, 10_000, { files: store, sender: "s" }))).toBe(
      "400 INVALID_BODY: attachments[0].base64 is not base64 (RFC 4648)",
    );
    const off = json({ message: "m", attachments: [{ filename: "x", base64: "eA==" }] });
    expect(await refusal(readJsonPayload(off, 10_000, { files: undefined, sender: "s" }))).toStartWith("400 ATTACHMENTS_OFF");
    expect(store.stored).toEqual([]);
  });

  test("a file past the store's limit is its FILE_TOO_LARGE (413)", async () => {
    store = tempFiles(3);
    const big = json({ message: "m", attachments: [{ filename: "x", base64: Buffer.from("four").toString("base64") }] });
    expect(await refusal(readJsonPayload(big, 10_000, { files: store, sender: "s" }))).toStartWith("413 FILE_TOO_LARGE");
  });
});

describe("the Apprise API", () => {
  test("multipart file parts (attach, attach2, attachment) stream into the store; a body alone is not required then", async () => {
    store = tempFiles();
    const form = new FormData();
    form.append("title", "door");
    form.append("attach", new File(["JPEG1"], "door.jpg", { type: "image/jpeg" }));
    form.append("attach2", new File(["JPEG2"], "yard.jpg", { type: "image/jpeg" }));
    form.append("attachment", new File(["log"], "motion.log"));
    const request = new Request("http://gw/apprise/notify/k", { method: "POST", body: form });
    const m = await readApiPayload(request, 1000, { files: store, sender: "192.0.2.9" });
    expect(store.stored.map((f) => [f.name, f.sha256])).toEqual([
      ["door.jpg", sha256(Buffer.from("JPEG1"))],
      ["yard.jpg", sha256(Buffer.from("JPEG2"))],
      ["motion.log", sha256(Buffer.from("log"))],
    ]);
    expect([m.title, m.body, m.attachments.map((a) => a.kind)]).toEqual(["door", "", ["file", "file", "file"]]);
  });

  test("a type Apprise does not have, before the file: 400 naming it, and the file is not stored", async () => {
    store = tempFiles();
    const form = new FormData();
    form.append("body", "b");
    form.append("type", "critical");
    form.append("attach", new File(["JPEG1"], "door.jpg"));
    const request = new Request("http://gw/apprise/notify/k", { method: "POST", body: form });
    expect(await refusal(readApiPayload(request, 1000, { files: store, sender: "s" }))).toBe(
      "400 INVALID_BODY: type must be one of info, success, warning, failure",
    );
    expect(store.stored).toEqual([]);
  });

  test("attach URLs (JSON or form) are remote attachments: links unless attachments.remote fetches them", async () => {
    store = tempFiles();
    const request = new Request("http://gw/apprise/notify/k", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "body=motion&attach=https%3A%2F%2Fcam.example%2Fa.jpg,https%3A%2F%2Fcam.example%2Fb.jpg",
    });
    const m = await readApiPayload(request, 1000, { files: store, sender: "s" });
    expect(m.attachments).toEqual([
      { kind: "link", url: "https://cam.example/a.jpg", name: undefined },
      { kind: "link", url: "https://cam.example/b.jpg", name: undefined },
    ]);
    expect(store.remotes.map((r) => r.url)).toEqual(["https://cam.example/a.jpg", "https://cam.example/b.jpg"]);
  });
});
