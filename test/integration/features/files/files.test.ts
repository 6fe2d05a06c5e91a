// Files and images end to end (issue 21 §7), on each real server: what a sender uploads reaches a
// real client as a message whose body is the URL and whose XEP-0066 OOB element carries it; the
// client fetches that URL from the gateway and the bytes' SHA-256 is what was sent. ntfy's PUT,
// a long message, Debian's apprise CLI with --attach, and a declarative route's `curl -F`.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Element } from "ltx";
import { testServers } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { isMessageWithBody } from "../../../../testbed/predicates.ts";
import { freePort } from "../../../../testbed/ports.ts";
import { PNG_1X1, sha256 } from "../../../helpers/file-store.ts";
import { appriseCli } from "../../../helpers/apprise-cli.ts";

const ROUTES = `
routes:
  - preset: ntfy
    topics: { door: bob@localhost }
  - path: /snapshot
    attach: file
    body: { text: string? }
    send: '<message to="bob@localhost" type="chat"><body>{{ body.text | default: "Snapshot" }}</body></message>'
`;

const oobUrl = (s: Element) => s.getChild("x", "jabber:x:oob")?.getChildText("url");
const NS_CORRECT = "urn:xmpp:message-correct:0";
const NS_RETRACT = "urn:xmpp:message-retract:1";
const isRetraction = (s: Element) => s.name === "message" && s.getChild("retract", NS_RETRACT) !== undefined;

/** What a client does with an OOB message: fetch its URL (from the gateway, over a real socket). */
async function download(url: string): Promise<{ type: string | null; sha256: string; bytes: Uint8Array }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { type: response.headers.get("content-type"), sha256: sha256(bytes), bytes };
}

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, {
      gateway: async () => {
        const port = await freePort();
        return { routes: ROUTES, http: [`listen: 127.0.0.1:${port}`, `public_url: http://127.0.0.1:${port}`] };
      },
      clients: ["bob"],
    });

    test("ntfy PUT of a PNG: bob gets the text, then the file's message; the URL serves the same bytes", async () => {
      const put = await bed.gw.post("/door", { method: "PUT", body: PNG_1X1, headers: { Filename: "door.png", Title: "Ding dong" } });
      expect(put.status).toBe(200);
      expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("*Ding dong*\nYou received a file: door.png");
      const file = await bed.bob.nextStanza(isMessageWithBody);
      const url = oobUrl(file) as string;
      expect(file.getChildText("body")).toBe(url);
      expect(file.getChild("x", "jabber:x:oob")?.getChildText("desc")).toBe("door.png");
      const fetched = await download(url);
      expect(fetched).toMatchObject({ type: "image/png", sha256: sha256(PNG_1X1) });
      // HEAD: the headers and the length a GET would have, no body (RFC 9110 §9.3.2).
      const head = await fetch(url, { method: "HEAD" });
      expect([head.status, head.headers.get("content-length"), (await head.arrayBuffer()).byteLength]).toEqual([
        200,
        String(PNG_1X1.length),
        0,
      ]);
    });

    test("a ntfy message over 4,096 bytes arrives as attachment.txt with every byte", async () => {
      const log = `${"0123456789abcdef".repeat(400)}\nend`;
      expect((await bed.gw.post("/door", { body: log })).status).toBe(200);
      expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("You received a file: attachment.txt");
      const fetched = await download(oobUrl(await bed.bob.nextStanza(isMessageWithBody)) as string);
      expect(fetched.sha256).toBe(sha256(new TextEncoder().encode(log)));
    });

    test("apprise --attach to the ntfy topic: exit 0, bob fetches the very file", async () => {
      const dir = mkdtempSync(join(tmpdir(), "apprise-attach-"));
      try {
        const path = join(dir, "panel.png");
        writeFileSync(path, PNG_1X1);
        const sent = await appriseCli(["-b", "Panel attached", "--attach", path, `ntfy://${new URL(bed.gw.url).host}/door`]);
        expect(sent).toMatchObject({ code: 0 });
        const messages = [await bed.bob.nextStanza(isMessageWithBody), await bed.bob.nextStanza(isMessageWithBody)];
        const file = messages.find((m) => oobUrl(m) !== undefined) as Element;
        expect((await download(oobUrl(file) as string)).sha256).toBe(sha256(PNG_1X1));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test("a ntfy sequence corrected with a file: DELETE withdraws the text and the file's message", async () => {
      expect((await bed.gw.post("/door/door-bell", { body: "Someone at the door" })).status).toBe(200);
      const text = await bed.bob.nextStanza(isMessageWithBody);
      const put = await bed.gw.post("/door/door-bell", { method: "PUT", body: PNG_1X1, headers: { Filename: "a.png" } });
      expect(put.status).toBe(200);
      const corrected = await bed.bob.nextStanza(isMessageWithBody);
      expect(corrected.getChild("replace", NS_CORRECT)?.attrs.id).toBe(text.attrs.id);
      const file = await bed.bob.nextStanza(isMessageWithBody);
      expect(oobUrl(file)).toBeDefined();
      expect((await bed.gw.post("/door/door-bell", { method: "DELETE" })).status).toBe(200);
      const withdrawn = [await bed.bob.nextStanza(isRetraction), await bed.bob.nextStanza(isRetraction)];
      expect(withdrawn.map((s) => s.getChild("retract", NS_RETRACT)?.attrs.id)).toEqual([text.attrs.id, file.attrs.id]);
    });

    test("curl -F file=@snapshot to a declarative route: the template's message, then the file", async () => {
      const form = new FormData();
      form.append("text", "Motion in the garden");
      form.append("file", new Blob([PNG_1X1]), "snapshot.jpg");
      const answer = await bed.gw.post("/snapshot", { body: form });
      expect(answer.status).toBe(201);
      expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("Motion in the garden");
      const file = await bed.bob.nextStanza(isMessageWithBody);
      expect((await download(oobUrl(file) as string)).sha256).toBe(sha256(PNG_1X1));
    });
  });
