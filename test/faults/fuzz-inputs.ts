// fast-check arbitraries for hostile HTTP input: characters XML 1.0 cannot carry (RFC 6120 §11.1
// restricts stanzas to XML 1.0 Char), lone surrogates, bytes that are not UTF-8, strings near the
// size limits, deep JSON.
import fc from "fast-check";

/** XML-hostile or address-hostile characters, each a known way to break a stream or a JID. */
const NASTY = [
  "\uFFFE",
  "\uFFFF",
  "\uD800",
  "\uDFFF",
  "\u0000",
  "\u0001",
  "\u001B",
  "\u007F",
  "\u0085",
  "\u2028",
  "\u200B",
  "\u{10FFFF}",
  "\u{1F600}",
  "<",
  ">",
  "&",
  '"',
  "'",
  "]]>",
  "@",
  "/",
  "%",
  "\\",
  " ",
  "\t",
  "\r\n",
  "{{ body.text }}",
];

const nastyChar = fc.constantFrom(...NASTY);

/** Short strings mixing plain text, any code unit, and the characters above. */
export const weirdString = (maxPieces = 6): fc.Arbitrary<string> =>
  fc
    .array(fc.oneof(nastyChar, fc.string({ unit: "binary", maxLength: 6 }), fc.string({ maxLength: 6 })), { maxLength: maxPieces })
    .map((p) => p.join(""));

/** A valid value with one hostile character put somewhere in it: hits what a wholly weird string hides. */
export const nearlyValid = (...valid: string[]): fc.Arbitrary<string> =>
  fc.record({ base: fc.constantFrom(...valid), ch: nastyChar, at: fc.nat() }).map(({ base, ch, at }) => {
    const i = at % (base.length + 1);
    return base.slice(0, i) + ch + base.slice(i);
  });

/** One character repeated up to just past the size limits (256 KiB stanza, 1 MiB body). */
const hugeString: fc.Arbitrary<string> = fc
  .record({
    ch: fc.constantFrom("a", "<", "&", "é", "\u{1F600}", "\uFFFF"),
    n: fc.constantFrom(65_535, 200_000, 262_143, 262_145, 300_000, 600_000),
  })
  .map(({ ch, n }) => ch.repeat(Math.ceil(n / ch.length)).slice(0, n));

export const textInput = (hugeWeight = 1): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: weirdString(), weight: 10 },
    { arbitrary: nearlyValid("hello", "x"), weight: 10 },
    { arbitrary: hugeString, weight: hugeWeight },
  );

/** JSON nested `depth` deep, arrays or objects. */
const deepJson: fc.Arbitrary<string> = fc
  .record({ depth: fc.constantFrom(100, 1_000, 10_000, 60_000), object: fc.boolean() })
  .map(({ depth, object }) => (object ? '{"a":'.repeat(depth) + "1" + "}".repeat(depth) : "[".repeat(depth) + "]".repeat(depth)));

/** Bytes with invalid UTF-8 sequences among ASCII. */
const badUtf8: fc.Arbitrary<Uint8Array> = fc
  .array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.constantFrom(0x80, 0xbf, 0xc0, 0xc1, 0xed, 0xa0, 0xf5, 0xfe, 0xff)), {
    minLength: 1,
    maxLength: 40,
  })
  .map((bytes) => new Uint8Array(bytes));

/**
 * WTF-8: UTF-8 that keeps lone surrogates as their 3-byte form, so they reach the server as the
 * invalid bytes a sloppy client would send (TextEncoder would turn them into U+FFFD).
 */
function wtf8(text: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let cp = text.codePointAt(i) ?? 0;
    if (cp > 0xffff) i++;
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    cp = 0;
  }
  return new Uint8Array(bytes);
}

/** Percent-encodes every byte but the URI unreserved ones (RFC 3986 §2.3). */
function pctEncode(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes)
    out += /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  return out;
}

/** A path segment or query value: a weird string (as WTF-8) or raw bad bytes, percent-encoded. */
export const urlPart: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: weirdString().map((s) => pctEncode(wtf8(s))), weight: 4 },
  { arbitrary: nearlyValid("bob", "bob@localhost", "bob@localhost/res").map((s) => pctEncode(wtf8(s))), weight: 4 },
  { arbitrary: badUtf8.map(pctEncode), weight: 1 },
);

export const CONTENT_TYPES = [
  "application/json",
  "application/x-www-form-urlencoded",
  "text/plain",
  "text/plain; charset=utf-8",
  "text/plain; charset=iso-8859-1",
  "application/xml",
  "",
] as const;

/** Fields as a form body, each name and value a weird string. */
export const formBody = (names: string[]): fc.Arbitrary<string> =>
  fc.dictionary(fc.oneof(fc.constantFrom(...names), weirdString(2)), textInput(), { maxKeys: 5 }).map((fields) =>
    Object.entries(fields)
      .map(([k, v]) => `${pctEncode(wtf8(k))}=${pctEncode(wtf8(v))}`)
      .join("&"),
  );

/** A JSON object with these field names (values of any JSON type), or any JSON, or deep JSON. */
export const jsonBody = (names: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    {
      arbitrary: fc
        .dictionary(
          fc.constantFrom(...names),
          fc.oneof(textInput(), nearlyValid("bob@localhost", "bob@localhost/res", "chat"), fc.jsonValue({ maxDepth: 2 })),
          { maxKeys: names.length },
        )
        .map((o) => JSON.stringify(o)),
      weight: 8,
    },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), weight: 2 },
    { arbitrary: deepJson, weight: 1 },
    { arbitrary: weirdString(), weight: 1 },
  );

/** The body bytes as a client would send them: WTF-8 text, or raw bad bytes. */
export const bodyBytes = (text: fc.Arbitrary<string>): fc.Arbitrary<Uint8Array> =>
  fc.oneof({ arbitrary: text.map(wtf8), weight: 9 }, { arbitrary: badUtf8, weight: 1 });
