/**
 * Who else sent a remembered message, when a message from `from` may not correct or withdraw it.
 * Clients honour a correction (XEP-0308 §5) or a retraction (XEP-0424 §6) from the original
 * sender only, and replicas sharing one store each send from their own component domain: another
 * replica's message is not this one's to change. A message sent as a user (XEP-0356) has the same
 * sender on every replica. A row of an older version names no sender (`sentFrom` undefined or
 * empty): changed as before. Undefined: `from` may change it.
 */
export function otherSender(sentFrom: string | undefined, from: string | undefined): string | undefined {
  return sentFrom !== undefined && sentFrom !== "" && sentFrom !== from ? sentFrom : undefined;
}
