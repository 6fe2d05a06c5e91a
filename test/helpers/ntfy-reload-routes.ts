// The routes.yaml of the tests of what a reload and a stop do to open streams (unit and real
// server alike): /private behind bearer tokens, whose topic alerts reader and admin may read, and
// /open with no auth; `to` is where their messages go. The options take away what a reload may
// take away (the review of issue 22, finding 1): reader's read access to alerts, the topic news,
// /open's subscribe:.
const USERS = ["reader", "admin"] as const;

export const bearerOf = (user: (typeof USERS)[number]) => ({ authorization: `Bearer ${user}-token-0123456789` });

interface Taken {
  alertsFromReader?: boolean;
  news?: boolean;
  openSubscribe?: boolean;
}

export function reloadRoutes(to: string, taken: Taken = {}): string {
  const tokens = USERS.map((name) => `      - { name: ${name}, token: "${name}-token-0123456789" }`);
  const readers = taken.alertsFromReader ? "[admin]" : "[reader, admin]";
  return [
    "auth:",
    "  users:",
    "    kind: bearer",
    "    tokens:",
    ...tokens,
    "routes:",
    "  - preset: ntfy",
    "    path: /private",
    "    auth: users",
    taken.news ? `    topics: { alerts: ${to} }` : `    topics: { alerts: ${to}, news: ${to} }`,
    "    subscribe: {}",
    "    access:",
    `      alerts: { read: ${readers}, write: [admin] }`,
    ...(taken.news ? [] : ["      news: { read: [reader, admin], write: [admin] }"]),
    "  - preset: ntfy",
    "    path: /open",
    `    topics: { t1: ${to} }`,
    taken.openSubscribe ? `    to: ${to}` : "    subscribe: {}",
    "",
  ].join("\n");
}
