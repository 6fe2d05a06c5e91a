// XEP-0363 against the servers' own upload services: Prosody 0.12's mod_http_file_share and
// ejabberd 23.01's mod_http_upload, configured as docs/files-xep0363.md shows (the test bed's
// `httpUpload`). The gateway's component finds the service, gets a slot as itself, PUTs the bytes,
// and a plain HTTP GET of the slot's URL gives back the same SHA-256. Where the server does not
// grant the component a slot, or the file is over the service's limit, the upload fails with
// UPLOAD_FAILED and a sentence that says why.
import { afterAll, describe, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createXep0363Uploader, type UploadLink } from "../../../../src/files/xep0363/uploader.ts";
import type { UploadSource } from "../../../../src/files/uploader.ts";
import { GatewayError } from "../../../../src/plugin-api/errors.ts";
import type { XmppServer } from "../../../../testbed/xmpp-server.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { startGateway, type TestGateway } from "../../../helpers/gateway.ts";
import { testServers } from "../../../helpers/servers.ts";

const MAX_BYTES = 65_536;
const OTHER = { domain: "other.localhost", secret: "other-secret" };
const ROUTES = "routes: []\n";

const dir = mkdtempSync(join(tmpdir(), "sg-upload-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file of `size` random bytes on disk, as the store hands it to an uploader. */
function fileOf(size: number, name = "snapshot.jpg", type = "image/jpeg"): UploadSource & { bytes: Buffer } {
  const bytes = randomBytes(size);
  const path = join(dir, `${randomBytes(8).toString("hex")}.bin`);
  writeFileSync(path, bytes);
  return { path, name, type, size, sha256: sha256(bytes), bytes };
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** The in-process gateway's link, as the files of a generation give it to the uploader. */
function linkOf(gw: TestGateway): UploadLink {
  return { component: gw.config.xmpp.component, host: gw.config.xmpp.host, request: (iq, t) => gw.gateway.link.request(iq, t) };
}

/** The refusal an upload ends with: its code and sentence. */
async function failureOf(upload: Promise<string>): Promise<{ code: string; status: number; message: string }> {
  const err = await upload.then(
    () => new Error("the upload was granted"),
    (e: unknown) => e,
  );
  if (!(err instanceof GatewayError)) throw err;
  return { code: err.code, status: err.status, message: err.message };
}

/** What an upload came to: the bytes behind the URL it gave, or the refusal's sentence. */
async function outcomeOf(link: UploadLink, file: UploadSource): Promise<string> {
  try {
    const served = await fetch(await createXep0363Uploader(link).upload(file));
    return sha256(new Uint8Array(await served.arrayBuffer())) === file.sha256 ? "granted, the same bytes" : "granted, other bytes";
  } catch (err) {
    return `refused: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** Each server's own default when its upload access is left out. */
const DEFAULT_ACCESS = {
  prosody: { says: "grants the component a slot: it is one of Prosody's hosts", outcome: "granted, the same bytes" },
  ejabberd: {
    says: "refuses the component: its default rule, local, is for users",
    outcome: expect.stringContaining(
      "refused: The XMPP server's upload service did not take the file: the upload service upload.localhost does not grant this component a slot (forbidden",
    ),
  },
};

for (const server of testServers()) {
  describe(`${server.name}: the upload service names the component`, () => {
    const bed = useTestBed(server, {
      server: { httpUpload: { maxFileBytes: MAX_BYTES }, extraComponents: [OTHER] },
      gateway: { routes: ROUTES },
    });

    test("the component gets a slot, uploads the bytes, and a plain GET of the URL has the same SHA-256", async () => {
      const file = fileOf(40_000);
      const url = await createXep0363Uploader(linkOf(bed.gw)).upload(file);
      expect(url.startsWith(`http://127.0.0.1:${bed.server.httpPort}/`)).toBe(true);
      const got = await fetch(url);
      expect(got.status).toBe(200);
      expect(sha256(new Uint8Array(await got.arrayBuffer()))).toBe(file.sha256);
    });

    test("the GET URL keeps the file's name, as clients save it", async () => {
      const url = await createXep0363Uploader(linkOf(bed.gw)).upload(fileOf(10, "door.png", "image/png"));
      expect(url.endsWith("/door.png")).toBe(true);
    });

    test("a file over the service's max-file-size is refused with UPLOAD_FAILED naming the limit", async () => {
      const failure = await failureOf(createXep0363Uploader(linkOf(bed.gw)).upload(fileOf(MAX_BYTES + 1)));
      expect(failure).toEqual({ code: "UPLOAD_FAILED", status: 502, message: expect.stringContaining(`up to ${MAX_BYTES} bytes`) });
    });

    test("another component the access setting does not name gets no slot: UPLOAD_FAILED says so", async () => {
      const other = await startGateway(asComponent(bed.server, OTHER), { routes: ROUTES });
      try {
        const failure = await failureOf(createXep0363Uploader(linkOf(other)).upload(fileOf(100)));
        expect(failure.code).toBe("UPLOAD_FAILED");
        expect(failure.message).toContain("does not grant this component a slot (forbidden");
      } finally {
        await other.stop();
      }
    });
  });

  // Without the access option: Prosody lets any of its hosts upload, and the external component is
  // one; ejabberd's default rule `local` (users of the server, when defined at all) does not match it.
  describe(`${server.name}: the upload service's access left at the server's default`, () => {
    const bed = useTestBed(server, { server: { httpUpload: { allow: "default" } }, gateway: { routes: ROUTES } });

    test(`${server.name}: ${DEFAULT_ACCESS[server.name].says}`, async () => {
      expect(await outcomeOf(linkOf(bed.gw), fileOf(1_000))).toEqual(DEFAULT_ACCESS[server.name].outcome);
    });
  });
}

/** The same server, seen from another component: its own domain and secret. */
function asComponent(server: XmppServer, component: { domain: string; secret: string }): XmppServer {
  return Object.assign(Object.create(server) as XmppServer, { componentDomain: component.domain, componentSecret: component.secret });
}
