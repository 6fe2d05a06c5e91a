/** Building and parsing XML elements, for stanzas. */
/** Builds stanzas: `xml("message", { to }, xml("body", {}, text))`. */
export { default as xml } from "@xmpp/xml";
/** Parses one XML element from a string; throws on markup that is not well-formed. */
export { parse as parseXml } from "ltx";
