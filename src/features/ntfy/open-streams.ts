/**
 * The subscribe API's open streams, kept across reloads (the topics outlive a generation): a reload
 * checks each again against the new routes, as a new request would be checked, and ends those the
 * new configuration no longer lets read. The client reconnects with `since=` and, if it is still
 * let in, misses nothing (the topic cache is kept too).
 */
import type { Identity } from "../../plugin-api/auth.ts";
import { GatewayError } from "../../plugin-api/errors.ts";
import { requireAccess } from "./access.ts";
import type { NtfyRoute } from "./schema.ts";

interface OpenStream {
  /** The route it was opened on (its path), the auth scheme that let it in, who, which topics. */
  path: string;
  auth: string | undefined;
  user: Identity | undefined;
  topics: readonly string[];
  /** Ends it cleanly with the reason (the log's, a WebSocket's close reason). */
  end(reason: string): void;
}

export type OpenStreams = Set<OpenStream>;

/** The start of the reason a reload ends a stream with. */
export const RELOADED = "ended by a reload";

/** Ends each stream the new routes refuse; the others go on untouched. */
export function recheckStreams(streams: OpenStreams, routes: readonly NtfyRoute[]): void {
  for (const stream of [...streams]) {
    const refused = refusal(
      stream,
      routes.find((r) => r.path === stream.path),
    );
    if (refused !== undefined) stream.end(`${RELOADED}: ${refused}`);
  }
}

function refusal(stream: OpenStream, route: NtfyRoute | undefined): string | undefined {
  if (!route) return `the route ${stream.path} is gone`;
  if (!route.subscribe) return `the route ${stream.path} no longer has subscribe:`;
  // Another scheme may know other names: the identity the old one found proves nothing to it.
  if (route.auth !== stream.auth) return `the route ${stream.path} has another auth scheme`;
  const gone = route.to ? undefined : stream.topics.find((t) => route.topics[t] === undefined);
  if (gone !== undefined) return `topic ${gone} is no longer one of the route's`;
  try {
    requireAccess(route.access, stream.user, stream.topics, "read");
  } catch (err) {
    if (err instanceof GatewayError) return err.message;
    throw err;
  }
  return undefined;
}
