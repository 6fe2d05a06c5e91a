/** The paths a ntfy route serves under its root (ntfy's server/server.go `handleInternal`; sequence ids since ntfy 2.16). */

export interface ServedPath {
  method: string;
  path: string;
}

const under = (root: string, rest: string) => (root === "/" ? rest : `${root}${rest}`);

export const topicPath = (root: string, topic: string) => under(root, `/${topic}`);

/**
 * The subscribe API's streams (server.go: `/<topics>/json`, `/sse`, `/raw`, `/ws`), and `auth`:
 * whether the caller may read them (handleTopicAuth), which Home Assistant asks first.
 */
const STREAMS = ["json", "sse", "raw", "ws", "auth"] as const;

/** `subscribe`: the route serves the subscribe API too. */
export function servedPaths(root: string, subscribe = false): ServedPath[] {
  const publishes = ["POST", "PUT"];
  return [
    ...(subscribe ? STREAMS.map((stream) => ({ method: "GET", path: under(root, `/:topic/${stream}`) })) : []),
    // ntfy's account of the caller (handleAccountGet), which Home Assistant reads at set-up.
    ...(subscribe ? [{ method: "GET", path: under(root, "/v1/account") }] : []),
    ...publishes.map((method) => ({ method, path: root })),
    ...publishes.map((method) => ({ method, path: under(root, "/:topic") })),
    ...["publish", "send", "trigger"].map((verb) => ({ method: "GET", path: under(root, `/:topic/${verb}`) })),
    ...[...publishes, "DELETE"].map((method) => ({ method, path: under(root, "/:topic/:sequence_id") })),
  ];
}
