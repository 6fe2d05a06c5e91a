/** Which queued outbox rows are groupchat of one occupant (rooms/route-rooms.ts `beforeSend`). */
import { parse, type Element } from "ltx";

/**
 * The room a queued row is a groupchat to, from the occupant `from`; undefined for any other row. Rows are
 * ltx's serialization (stanza-guard.ts), so most are told apart by their first characters alone.
 */
export function queuedGroupchatRoom(row: string, from: string): string | undefined {
  if (!row.startsWith("<message") || !row.includes('type="groupchat"')) return undefined;
  let stanza: Element;
  try {
    stanza = parse(row);
  } catch {
    return undefined;
  }
  if (stanza.attrs.type !== "groupchat" || stanza.attrs.from?.toLowerCase() !== from.toLowerCase()) return undefined;
  return stanza.attrs.to?.toLowerCase();
}
