// kind: basic under a reconnect storm, on each real server (finding 3 of the subscriptions review):
// 150 clients send a Basic request at once, each needing an argon2id check at the default cost.
// Every one gets an HTTP answer, never an empty reply: its route's 2xx once verified, or
// 503 AUTH_BUSY with a Retry-After when the checks ahead of it could not end in time.
import { describe, expect, test } from "bun:test";
import { testServers } from "../../../helpers/servers.ts";
import { useTestBed } from "../../../helpers/bed.ts";

const PASSWORD = "hello";
const CLIENTS = 150;
const ROUTES = `
auth:
  users: { kind: basic, users: { admin: "${Bun.password.hashSync(PASSWORD, { algorithm: "argon2id" })}" } }
routes:
  - { plugin: post_msg, auth: users }
`;
const BASIC = `Basic ${btoa(`admin:${PASSWORD}`)}`;

interface Answer {
  status: number;
  code?: unknown;
  retryAfter: string | null;
}

for (const server of testServers())
  describe(server.name, () => {
    const bed = useTestBed(server, { gateway: { routes: ROUTES }, clients: ["bob"] });

    /** One client's request; an empty reply rejects. */
    async function send(i: number): Promise<Answer> {
      const response = await fetch(`${bed.gw.url}/msg/bob`, {
        method: "POST",
        headers: { authorization: BASIC, "content-type": "text/plain" },
        body: `reconnect ${i}`,
      });
      const text = await response.text();
      const code = response.status === 503 ? (JSON.parse(text) as { code?: unknown }).code : undefined;
      return { status: response.status, code, retryAfter: response.headers.get("retry-after") };
    }

    test(`${CLIENTS} Basic requests at once: every one is answered, 2xx or 503 AUTH_BUSY with Retry-After`, async () => {
      const answers = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => send(i)));
      for (const a of answers) {
        if (a.status === 503) {
          expect(a.code).toBe("AUTH_BUSY");
          expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
        } else expect(a.status).toBeLessThan(300);
      }
      expect(answers.some((a) => a.status < 300)).toBe(true);
    });
  });
