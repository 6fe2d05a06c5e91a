/**
 * XML 1.0 §2.2: only these characters may appear in a document. Anything else (NUL, most C0
 * controls, lone surrogates, U+FFFE/U+FFFF) makes the server close the whole stream, so text from
 * input is checked before it goes into a stanza.
 */
const NOT_XML_CHAR = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

export function isXmlText(s: string): boolean {
  return !NOT_XML_CHAR.test(s) && s.isWellFormed();
}

/**
 * Text with nothing to read: blank, only invisible format characters (U+200B zero-width space,
 * U+2060, U+FEFF: Unicode category Cf), or only U+FFFD where a sender's bytes were not UTF-8 (the
 * WHATWG decoder's replacement). Each format answers it with its own "no text" error.
 */
export function saysNothing(s: string): boolean {
  return s.replace(/[\ufffd\p{Cf}]/gu, "").trim() === "";
}
