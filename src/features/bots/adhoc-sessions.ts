/**
 * Open XEP-0050 sessions of one bot (a form sent, its submission awaited): bounded in number and
 * in time, so senders opening forms they never submit cannot grow memory.
 */
const MAX_SESSIONS = 1_000;
const SESSION_TTL_MS = 10 * 60_000;

export interface Sessions {
  /** A new session id for `node` and `sender`. */
  open(node: string, sender: string): string;
  /** Whether the session exists for this node and sender; it is closed either way. */
  take(id: string, node: string, sender: string): boolean;
}

export function createSessions(now: () => number = Date.now): Sessions {
  const open = new Map<string, { node: string; sender: string; expires: number }>();
  return {
    open(node, sender) {
      const t = now();
      for (const [id, s] of open) if (s.expires <= t) open.delete(id);
      while (open.size >= MAX_SESSIONS) open.delete(open.keys().next().value as string);
      const id = crypto.randomUUID();
      open.set(id, { node, sender, expires: t + SESSION_TTL_MS });
      return id;
    },
    take(id, node, sender) {
      const s = open.get(id);
      open.delete(id);
      return s !== undefined && s.node === node && s.sender === sender && s.expires > now();
    },
  };
}
