// Remote files fetched by the gateway (issue 21 §5), on each real server: ntfy's `Attach:` names a
// camera's snapshot on an address the test's allow list opens; bob receives the gateway's copy,
// which still serves the same bytes once the camera is gone. A URL on an address the list does not
// open is refused in ntfy's shape, and bob receives nothing from it.
import { afterAll, describe, expect, test } from "bun:test";
import { testServers } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";
import { isMessageWithBody } from "../../../../testbed/predicates.ts";
import { freePort } from "../../../../testbed/ports.ts";
import { PNG_1X1, sha256 } from "../../../helpers/file-store.ts";
import { FETCHING_NTFY, startCamera } from "../../../helpers/remote-files.ts";

for (const server of testServers())
  describe(server.name, () => {
    const camera = startCamera();
    afterAll(() => camera.stop(true));
    const bed = useTestBed(server, {
      gateway: async () => {
        const port = await freePort();
        return { routes: FETCHING_NTFY, http: [`listen: 127.0.0.1:${port}`, `public_url: http://127.0.0.1:${port}`] };
      },
      clients: ["bob"],
    });

    test("Attach: bob gets the gateway's copy of the snapshot, served with its bytes after the camera is gone", async () => {
      const snapshot = `http://127.0.0.1:${camera.port}/snapshot.jpg`;
      const answer = await bed.gw.post("/door", { body: "Someone at the door", headers: { Attach: snapshot } });
      expect(answer.status).toBe(200);
      expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("Someone at the door");
      const file = await bed.bob.nextStanza(isMessageWithBody);
      const url = file.getChild("x", "jabber:x:oob")?.getChildText("url") ?? "";
      expect(file.getChildText("body")).toBe(url);
      expect(url).toStartWith(`${bed.gw.url}/files/`);
      camera.stop(true);
      const served = await fetch(url);
      expect(served.headers.get("content-type")).toBe("image/png");
      expect(sha256(new Uint8Array(await served.arrayBuffer()))).toBe(sha256(PNG_1X1));
    });

    test("Attach: on an address allow does not open is ntfy's 400 naming the rule; bob gets nothing from it", async () => {
      const refused = await bed.gw.post("/door", { body: "From the router", headers: { Attach: "http://127.0.0.2:8080/admin.png" } });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toBe(
        "The gateway does not fetch http://127.0.0.2:8080: 127.0.0.2 is a loopback address (RFC 1122 §3.2.1.3), which attachments.remote.allow does not list",
      );
      // The barrier: a plain message posted after it is the next thing bob receives.
      expect((await bed.gw.post("/door", { body: "marker" })).status).toBe(200);
      expect((await bed.bob.nextStanza(isMessageWithBody)).getChildText("body")).toBe("marker");
    });
  });
