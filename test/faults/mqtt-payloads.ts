// Hostile MQTT payloads (issue 23 §5), each published to the `faults/hostile` route
// (`hostile {{ body }}`) and followed by a marker: what bob may get for it, and whether the
// gateway must count it as refused. None may crash the gateway, end its XMPP stream or its broker
// connection.
import { MAX_PAYLOAD_BYTES } from "./mqtt-gateway.ts";

export interface HostileCase {
  name: string;
  payload: Uint8Array;
  /**
   * The bodies bob may get for it (before the marker): [] when it must be refused. `undefined`:
   * either refused or delivered as `delivered` allows (the route's choice; the count must say which).
   */
  expect: string[] | undefined;
  /** With expect undefined: what a delivered copy may look like. */
  delivered?: (body: string) => boolean;
  /** false: nothing reaches the gateway to count (the broker drops it); default: counted when nothing is sent. */
  counted?: false;
}

const text = (s: string) => new TextEncoder().encode(s);

/** The Maximum Packet Size the gateway asks of the broker: 16 times max_payload_bytes and 64 KB (src/mqtt/options.ts). */
const MAX_PACKET = MAX_PAYLOAD_BYTES * 16 + 65_536;
/**
 * What a PUBLISH to faults/hostile adds to its payload as the broker sends it (MQTT 5 §3.3): the
 * fixed header (1 byte, and 3 of remaining length at this size), the topic (2 + 14), the packet
 * identifier (2) and the properties' length (1: none).
 */
const LARGEST_DELIVERED = MAX_PACKET - (1 + 3 + 2 + "faults/hostile".length + 2 + 1);
/** XML 1.0 §2.2 excludes these: a stanza carrying them would make the server close the stream. */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

export const HOSTILE: HostileCase[] = [
  // §5: "refused, logged, counted", never a message of replacement characters.
  { name: "not UTF-8", payload: Uint8Array.from([0xff, 0xfe, 0x80, 0x41, 0xc3]), expect: [] },
  // A picture: NULs and every byte value.
  { name: "binary", payload: Uint8Array.from({ length: 512 }, (_, i) => (i * 37) % 256), expect: [] },
  // UTF-8's encoding of a lone surrogate (CESU-8), which a strict decoder refuses.
  { name: "lone surrogate", payload: Uint8Array.from([0x61, 0xed, 0xa0, 0x80, 0x62]), expect: [] },
  { name: "one byte over max_payload_bytes", payload: text("x".repeat(MAX_PAYLOAD_BYTES + 1)), expect: [] },
  // Its PUBLISH exactly the Maximum Packet Size the gateway asks for: the broker delivers it, and
  // the gateway refuses and counts it like anything over max_payload_bytes.
  { name: "a packet of the maximum size", payload: text("w".repeat(LARGEST_DELIVERED)), expect: [] },
  // One byte more: mosquitto still sends it (its size check leaves a byte out), and the gateway
  // must not drop the connection over it, or the message would come back at every reconnect.
  { name: "a packet one byte over the maximum size", payload: text("v".repeat(LARGEST_DELIVERED + 1)), expect: [] },
  // Larger, the broker discards it (MQTT 5 §3.1.2.11.4): no client hears of it, only the broker's
  // log has it (docs/mqtt.md). Nothing to count, but the link and connection stay up.
  { name: "a packet past the maximum size", payload: text("y".repeat(LARGEST_DELIVERED + 2)), expect: [], counted: false },
  // Markup in the payload is text in the stanza, never elements.
  {
    name: "markup",
    payload: text('</body></message><message to="alice@localhost"><body>x & y'),
    expect: ['hostile </body></message><message to="alice@localhost"><body>x & y'],
  },
  // Valid UTF-8 that XML cannot carry: refused, or sent without those characters.
  {
    name: "control characters, U+FFFE, U+FFFF",
    payload: text("bell\u0007 nul\u0000 esc\u001b \ufffe\uffff end"),
    expect: undefined,
    delivered: (body) => body.startsWith("hostile bell") && body.endsWith("end") && !NOT_XML.test(body),
  },
  // Deeper than the JSON parser goes: read as text (or refused), never a stack overflow.
  {
    name: "JSON 2,000 levels deep",
    payload: text(`${"[".repeat(2_000)}${"]".repeat(2_000)}`),
    expect: undefined,
    delivered: (body) => body === `hostile ${"[".repeat(2_000)}${"]".repeat(2_000)}`,
  },
];
