// `correct:` with the store's disk full and the link up, against a real server: bob receives the
// message, the request is answered 201 saying its thread was not saved (never a 500 a client would
// retry into a duplicate), /health reports the store until the disk has room, and the thread's
// next message corrects once more after that. The store sits on a tmpfs filled to ENOSPC (root).
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { isMessageWithBody } from "../../../../testbed/xmpp-client.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { testServers } from "../../../helpers/servers.ts";
import { logTail } from "../../../helpers/gateway.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";
import { canMountTmpfs, mountTinyDisk, type TinyDisk } from "../../../helpers/tiny-disk.ts";

const ROUTES = `
routes:
  - path: /alert
    correct: { key: body.group, last: body.status == "resolved" }
    send: <message to="bob@localhost" type="chat"><body>{{ body.group }} {{ body.status }}</body></message>
`;

const mountable = canMountTmpfs();

for (const server of testServers())
  describe.skipIf(!mountable)(server.name, () => {
    let disk: TinyDisk | undefined;
    const bed = useTestBed(server, {
      gateway: () => {
        disk = mountTinyDisk();
        return { routes: ROUTES, store: join(disk.dir, "s.db") };
      },
      clients: ["bob"],
    });
    afterAll(() => disk?.remove());

    const post = (group: string, status: string) =>
      bed.gw.post("/alert", { headers: { "content-type": "application/json" }, body: JSON.stringify({ group, status }) });
    const health = async () => {
      const res = await fetch(`${bed.gw.url}/health`);
      return { status: res.status, store: ((await res.json()) as { store: unknown }).store };
    };

    describe("a correct: route whose store's disk is full", () => {
      test("delivers, answers 201 with correction.saved false, and /health fails until the disk has room", async () => {
        expect((await post("web", "firing")).status).toBe(201);
        const first = await bed.bob.nextStanza(isMessageWithBody);

        disk!.fill();
        const res = await post("web", "resolved");
        expect(res.status).toBe(201);
        expect(await res.json()).toMatchObject({ status: "sent", correction: { saved: false } });
        const resolved = await bed.bob.nextStanza(isMessageWithBody);
        expect(resolved.getChildText("body")).toBe("web resolved");
        expect(resolved.getChild("replace")?.attrs.id).toBe(first.attrs.id);
        expect(await health()).toMatchObject({ status: 503, store: { ok: false } });
        expect((await post("db", "firing")).status).toBe(503);

        disk!.free();
        await waitFor(
          () => bed.gw.logs.some((l) => l.msg === "the store can be written again"),
          15_000,
          "the store probe to succeed",
          logTail(bed.gw.logs),
        );
        expect(await health()).toMatchObject({ status: 200, store: { ok: true } });
        // `last` could not forget the thread: its next message still corrects the first one.
        expect((await post("web", "firing again")).status).toBe(201);
        const again = await bed.bob.nextStanza(isMessageWithBody);
        expect(again.getChildText("body")).toBe("web firing again");
        expect(again.getChild("replace")?.attrs.id).toBe(first.attrs.id);
      });
    });
  });
