// Reading the test Prosody's log for what the fault suite must never see: the server closing a
// stream because of something the gateway wrote (RFC 6120 §4.9: not-well-formed,
// stanza-too-large, or any other stream error). Offsets make each check look at new lines only.
import type { XmppServer } from "./xmpp-server.ts";

const STREAM_TROUBLE =
  /not-well-formed|stanza-too-large|stream error|stream:error|invalid XML|XML parse error|restricted-xml|policy-violation/i;

export async function logOffset(prosody: XmppServer): Promise<number> {
  const file = Bun.file(prosody.logFile);
  return (await file.exists()) ? file.size : 0;
}

/** Lines after `offset` that say the server refused or closed a stream. */
export async function streamTroubleSince(prosody: XmppServer, offset: number): Promise<string[]> {
  const file = Bun.file(prosody.logFile);
  if (!(await file.exists())) return [];
  const text = await file.slice(offset).text();
  return text.split("\n").filter((line) => STREAM_TROUBLE.test(line));
}
