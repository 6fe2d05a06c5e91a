/** RFC 7617 §2: the challenge that tells HTTP clients (curl -u, browsers) to send Basic. */
export function challenge(realm: string): Record<string, string> {
  return { "www-authenticate": `Basic realm="${realm.replace(/["\\]/g, "")}"` };
}
