// STANZAGATE_TRANSCRIPT=FILE: every stanza a test entity sends or receives is appended to FILE,
// one line each ("bob@localhost <- <message .../>"), so a test run doubles as a protocol
// transcript (closing notes, debugging a server difference). Unset, nothing is recorded.
import { appendFileSync } from "node:fs";
import type { Element } from "ltx";
import type { Entity } from "@xmpp/client";

const FILE = process.env.STANZAGATE_TRANSCRIPT;
/** Long stanzas (10 MB tests) are cut: the transcript is for reading. */
const MAX_LINE_CHARS = 600;

export function recordTranscript(xmpp: Entity, label: string): void {
  if (!FILE) return;
  const write = (arrow: string) => (el: Element) => {
    if (!["message", "presence", "iq"].includes(el.name)) return;
    const text = el.toString();
    const line = text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}… (${text.length} chars)` : text;
    appendFileSync(FILE, `${new Date().toISOString().slice(11, 23)} ${label} ${arrow} ${line}\n`);
  };
  xmpp.on("send", write("->"));
  xmpp.on("stanza", write("<-"));
}
