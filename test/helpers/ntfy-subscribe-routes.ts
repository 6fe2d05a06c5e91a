// The routes.yaml the subscribe tests share: one `preset: ntfy` route behind a bearer scheme (Home
// Assistant sends `Authorization: Bearer <token>`), a token that may read and write, and one that
// may only write (ntfy's read and write permissions are separate per topic), plus publishing.
import { expect } from "bun:test";
import type { NtfyEvent } from "./ntfy-streams.ts";

export const TOKENS = { reader: "tk_reader0123456789abcdefghijklm", writer: "tk_writer0123456789abcdefghijklm" } as const;

export const BEARER = {
  reader: { Authorization: `Bearer ${TOKENS.reader}` },
  writer: { Authorization: `Bearer ${TOKENS.writer}` },
} as const;

/** The topics every test uses (no `to:`: any other topic is unknown); `keepalive_s: 1` so a keepalive comes within a test's bound. */
export const SUBSCRIBE_ROUTES = `
auth:
  ntfy:
    kind: bearer
    tokens:
      - { name: reader, token: "${TOKENS.reader}", jid: alice@localhost }
      - { name: writer, token: "${TOKENS.writer}", jid: alice@localhost }
routes:
  - preset: ntfy
    auth: ntfy
    topics: { backups: bob@localhost, alerts: bob@localhost, polled: bob@localhost, filtered: bob@localhost }
    subscribe: { keepalive_s: 1 }
    access:
      "*": { read: [reader], write: [writer] }
`;

/** Publishes as the writer (headers as ntfy's publish API takes them); the 200's event JSON. */
export async function publish(base: string, topic: string, body: string, headers: Record<string, string> = {}): Promise<NtfyEvent> {
  const res = await fetch(`${base}/${topic}`, { method: "POST", headers: { ...BEARER.writer, ...headers }, body });
  const text = await res.text();
  expect([res.status, text]).toEqual([200, expect.any(String)]);
  return JSON.parse(text) as NtfyEvent;
}
