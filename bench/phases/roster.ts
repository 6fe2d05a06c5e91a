/**
 * roster_admin at scale: a web app lists 50 contacts for each of 1,000 users; one refresh POST
 * names them all. First sync writes every roster; the re-sync finds nothing changed.
 */

export interface RosterRun {
  users: number;
  contacts: number;
  first_sync_ms: number;
  first_sync_answer: unknown;
  resync_ms: number;
  resync_answer: unknown;
  statuses: Record<number, number>;
}

export function rosterWebApp(contacts: number): { url: string; requests: () => number; stop(): void } {
  let requests = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      requests++;
      const user = decodeURIComponent(new URL(req.url).pathname.split("/").pop() ?? "");
      const roster: Record<string, { name: string; groups: string[] }> = {};
      for (let j = 0; j < contacts; j++) roster[`contact${j}@localhost`] = { name: `Contact ${j} of ${user}`, groups: ["Bench"] };
      return Response.json(roster);
    },
  });
  return { url: `http://127.0.0.1:${server.port}/contacts/%s`, requests: () => requests, stop: () => server.stop(true) };
}

export async function rosterRun(url: string, authorization: string, users: string[], contacts: number): Promise<RosterRun> {
  const refresh = async () => {
    const t0 = performance.now();
    const res = await fetch(`${url}/roster_admin/refresh`, {
      method: "POST",
      headers: { authorization, "content-type": "application/json" },
      body: JSON.stringify(users),
      signal: AbortSignal.timeout(300_000),
    });
    return { ms: Math.round(performance.now() - t0), status: res.status, answer: await res.json() };
  };
  const first = await refresh();
  const again = await refresh();
  return {
    users: users.length,
    contacts,
    first_sync_ms: first.ms,
    first_sync_answer: first.answer,
    resync_ms: again.ms,
    resync_answer: again.answer,
    statuses: count([first.status, again.status]),
  };
}

function count(statuses: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}
