import type { ServerSoftware } from "../plugin-api/server-software.ts";

/** Whether the server is known to be `name` (case-insensitive): isServer(xmpp.serverSoftware(), "prosody"). */
export function isServer(software: ServerSoftware | undefined, name: string): boolean {
  return software?.name.toLowerCase() === name.toLowerCase();
}
