// What the remote-fetch tests of ntfy's Attach: share: a gateway that fetches, allowed to reach
// 127.0.0.1 on purpose (the guard refuses loopback otherwise), and a camera there that serves a PNG.
import { PNG_1X1 } from "./file-store.ts";

/** attachments: and routes: of a routes.yaml (http: comes from the caller: the bed, or a fake gateway's). */
export const FETCHING_NTFY = `
attachments:
  remote:
    fetch: true
    allow: [127.0.0.1/32]
routes:
  - preset: ntfy
    topics: { door: bob@localhost }
`;

/** A camera on loopback serving its snapshot (claimed JPEG, in fact PNG: the store sniffs it). */
export function startCamera() {
  return Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(PNG_1X1, { headers: { "content-type": "image/jpeg" } }) });
}
