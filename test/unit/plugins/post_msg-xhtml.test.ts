// The html field of post_msg: well-formed XML with namespaces passes, anything an XML parser with
// namespaces (the original's expat, the server's own parser) would reject is refused.
import { describe, expect, test } from "bun:test";
import { MAX_DEPTH, MarkupError, checkWellFormed, parseXhtmlBody } from "../../../plugins/post_msg/xhtml.ts";

const accepted = [
  "<p>Hi <b>there</b></p>",
  "just text",
  "",
  "<br/><br />",
  "two <p>roots</p><p>side by side</p>",
  "&amp; &lt; &gt; &quot; &apos; &#233; &#xE9;",
  `<span style="color: red" title='a "quoted" title'>x</span>`,
  "<![CDATA[ <not markup> & ]]>",
  "<!-- a comment -->",
  "<?target some data?>",
  `<a:b xmlns:a="urn:x">prefixed</a:b>`,
  `<p xml:lang="en">xml prefix is always bound</p>`,
  `<p xmlns="urn:other">another default namespace</p>`,
  "<p>\u00e9\u{1F600}</p>",
];

const refused: Array<[string, string]> = [
  ["<p>Hi <b>there</p>", "does not match"],
  ["<p>", "not closed"],
  ["</p>", "closes nothing"],
  ["x</body><body>y", "closes nothing"],
  ["a & b", "&"],
  ["&nbsp;", "&"],
  ["&#0;", "not a legal XML character"],
  ["&#xD800;", "not a legal XML character"],
  ["nul\u0000here", "characters XML cannot carry"],
  ["<p a='1>x</p>", "malformed start tag"],
  [`<p a="1" a="2">x</p>`, "twice"],
  [`<p a="<">x</p>`, "malformed start tag"],
  ["<p>x</P>", "does not match"],
  ["<a:b>x</a:b>", "prefix a is not declared"],
  [`<p a:c="1">x</p>`, "prefix a is not declared"],
  [`<p xmlns:a="">x</p>`, "not a valid namespace declaration"],
  ["<!DOCTYPE html>", "declarations"],
  ["<?xml version='1.0'?><p/>", "XML declaration"],
  ["<!-- a -- b -->", "--"],
  ["<!-- unclosed", "comment is not closed"],
  ["<![CDATA[ unclosed", "CDATA section is not closed"],
  ["text ]]> here", "]]>"],
  ["<1p>x</1p>", "malformed start tag"],
];

describe("the html field's markup", () => {
  test.each(accepted)("accepts %p", (markup) => {
    expect(() => checkWellFormed(markup)).not.toThrow();
  });

  test.each(refused)("refuses %p (%s)", (markup, reason) => {
    expect(() => checkWellFormed(markup)).toThrow(MarkupError);
    expect(() => checkWellFormed(markup)).toThrow(reason);
  });

  test("becomes an XHTML <body/> holding the markup", () => {
    expect(parseXhtmlBody("<p>Hi <b>there</b> &amp; you</p>").toString()).toBe(
      '<body xmlns="http://www.w3.org/1999/xhtml"><p>Hi <b>there</b> &amp; you</p></body>',
    );
  });

  test(`accepts ${MAX_DEPTH} nested elements and refuses one more (a tree that deep cannot be serialized safely)`, () => {
    const nested = (n: number) => "<i>".repeat(n) + "</i>".repeat(n);
    expect(parseXhtmlBody(nested(MAX_DEPTH)).getChildElements()).toHaveLength(1);
    expect(() => checkWellFormed(nested(MAX_DEPTH + 1))).toThrow("nested deeper");
  });

  test("says where the problem is", () => {
    try {
      checkWellFormed("fine & not");
      throw new Error("expected a MarkupError");
    } catch (err) {
      expect(err).toBeInstanceOf(MarkupError);
      expect((err as MarkupError).offset).toBe(5);
    }
  });
});
