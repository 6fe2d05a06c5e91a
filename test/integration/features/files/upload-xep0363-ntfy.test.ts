// `attachments.upload: xep0363` end to end, on each real server: a file PUT to the ntfy route is
// stored, then uploaded to the server's own upload service (the test bed's `httpUpload`, as
// docs/files-xep0363.md configures it); bob receives the XEP-0066 message with the service's URL,
// and a plain GET of it gives back the same SHA-256. When the service will not take the file,
// `fallback: refuse` answers 502 UPLOAD_FAILED in ntfy's shape and sends nothing, and
// `fallback: local` serves it from the gateway at http.public_url instead.
import { describe, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import type { Element } from "ltx";
import { isMessageWithBody } from "../../../../testbed/predicates.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { PNG_1X1 } from "../../../helpers/file-store.ts";
import { configHead, loadTestConfig } from "../../../helpers/gateway.ts";
import { testServers } from "../../../helpers/servers.ts";

const MAX_BYTES = 65_536;
const PUBLIC_URL = "https://gw.example.org";
const routes = (fallback: "refuse" | "local") => `
attachments:
  upload: xep0363
  fallback: ${fallback}
routes:
  - preset: ntfy
    topics:
      door: bob@localhost
`;

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const oobUrl = (s: Element) => s.getChild("x", "jabber:x:oob")?.getChildText("url");

for (const server of testServers())
  describe(`${server.name}: ntfy files with attachments.upload: xep0363`, () => {
    const bed = useTestBed(server, {
      server: { httpUpload: { maxFileBytes: MAX_BYTES } },
      gateway: { routes: routes("refuse"), http: [`public_url: ${PUBLIC_URL}`] },
      clients: ["bob"],
    });
    const put = (body: Uint8Array, filename: string) => bed.gw.post("/door", { method: "PUT", headers: { Filename: filename }, body });

    test("a PUT file goes to the server's upload service: bob gets its URL as XEP-0066, and a GET of it has the same SHA-256", async () => {
      const answer = await put(PNG_1X1, "door.png");
      expect(answer.status).toBe(200);
      const url = ((await answer.json()) as { attachment: { url: string } }).attachment.url;
      expect(url.startsWith(`http://127.0.0.1:${bed.server.httpPort}/`)).toBe(true);
      expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("You received a file: door.png");
      const file = await bed.bob.nextStanza(isMessageWithBody);
      expect([file.getChildText("body"), oobUrl(file)]).toEqual([url, url]);
      const got = await fetch(url);
      expect(sha256(new Uint8Array(await got.arrayBuffer()))).toBe(sha256(PNG_1X1));
    });

    test("fallback: refuse, a file over the service's limit: 502 in ntfy's shape saying the limit, and nothing is sent", async () => {
      const answer = await put(randomBytes(MAX_BYTES + 1), "big.bin");
      expect(answer.status).toBe(502);
      const json = (await answer.json()) as { code: number; http: number; error: string };
      expect(json).toMatchObject({ code: 50200, http: 502 });
      expect(json.error).toContain(`takes files up to ${MAX_BYTES} bytes`);
      await bed.gw.post("/door", { body: "barrier" });
      expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("barrier");
    });

    test("fallback: local, the same file is served by the gateway at http.public_url instead", async () => {
      const text = configHead(bed.server, ":memory:", [], [`public_url: ${PUBLIC_URL}`]) + routes("local");
      await bed.gw.gateway.reload(loadTestConfig(text));
      const bytes = randomBytes(MAX_BYTES + 1);
      const answer = await put(bytes, "big.bin");
      expect(answer.status).toBe(200);
      const url = ((await answer.json()) as { attachment: { url: string } }).attachment.url;
      expect(url.startsWith(`${PUBLIC_URL}/files/`)).toBe(true);
      await bed.bob.nextStanza(isMessageWithBody); // ntfy's "You received a file"
      expect(oobUrl(await bed.bob.nextStanza(isMessageWithBody))).toBe(url);
      const served = await fetch(bed.gw.url + new URL(url).pathname);
      expect(sha256(new Uint8Array(await served.arrayBuffer()))).toBe(sha256(bytes));
    });
  });
