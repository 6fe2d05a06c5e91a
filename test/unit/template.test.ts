import { describe, expect, test } from "bun:test";
import { compileTemplate, TemplateError } from "../../src/templates/template.ts";
import { GatewayError } from "../../src/plugin-api/errors.ts";

const render = (source: string, scope: Record<string, unknown>) => compileTemplate(source).render(scope).toString();

describe("stanza templates", () => {
  test("fill text and attributes from the request", () => {
    const out = render(`<message to="{{ params.who }}@localhost" type="chat"><body>{{ body.text }} ({{ user.name }})</body></message>`, {
      params: { who: "bob" },
      body: { text: "hello" },
      user: { name: "ci" },
    });
    expect(out).toBe(`<message to="bob@localhost" type="chat"><body>hello (ci)</body></message>`);
  });

  test("escape every substituted value, so input cannot add elements or attributes", () => {
    const evil = `"/><x y='1'/>&amp;]]></body><body>`;
    const el = compileTemplate(`<message to="a@b" id="{{ body.id }}"><body>{{ body.text }}</body></message>`).render({
      body: { id: evil, text: evil },
    });
    expect(el.attrs.id).toBe(evil);
    expect(el.getChildElements().map((c) => c.name)).toEqual(["body"]);
    expect(el.toString()).toBe(
      `<message to="a@b" id="&quot;/&gt;&lt;x y=&apos;1&apos;/&gt;&amp;amp;]]&gt;&lt;/body&gt;&lt;body&gt;"><body>"/&gt;&lt;x y='1'/&gt;&amp;amp;]]&gt;&lt;/body&gt;&lt;body&gt;</body></message>`,
    );
  });

  test("render a missing optional value as empty text", () => {
    expect(render(`<message to="a@b"><body>[{{ body.tag }}]</body></message>`, { body: {} })).toBe(
      `<message to="a@b"><body>[]</body></message>`,
    );
  });

  test("drop the indentation between elements of a YAML block", () => {
    expect(render(`<message to="a@b">\n  <body>x</body>\n</message>\n`, {})).toBe(`<message to="a@b"><body>x</body></message>`);
  });

  test("refuse an address from input that is not a JID", () => {
    const t = compileTemplate(`<message to="{{ body.to }}"/>`);
    expect(() => t.render({ body: { to: "not a jid" } })).toThrow(GatewayError);
    expect(() => t.render({ body: { to: "" } })).toThrow(/not a valid JID/);
  });

  test("refuse text that XML cannot carry", () => {
    const t = compileTemplate(`<message to="a@b"><body>{{ body.text }}</body></message>`);
    expect(() => t.render({ body: { text: "bell\u0007" } })).toThrow(/characters that XML cannot carry/);
  });

  test("refuse an object where a value is expected", () => {
    const t = compileTemplate(`<message to="a@b"><body>{{ body.text }}</body></message>`);
    expect(() => t.render({ body: { text: { nested: true } } })).toThrow(/must be a string, number or boolean/);
  });

  test.each([
    [`<message><body>{{ body.text }}</message>`, /not well-formed/],
    [`<message/><message/>`, /exactly one element/],
    [`<body/>`, /root element must be/],
    [`<message to="{{ secret.x }}"/>`, /unknown name/],
    [`<message to="{{ body.x + 1 }}"/>`, /not a dotted name/],
    [`<{{ body.name }}/>`, /not well-formed|element name/],
    [`<message {{ body.attr }}="x"/>`, /not well-formed|attribute name/],
    [`<message>{{ body.x </message>`, /unbalanced/],
  ])("reject the broken template %s when routes.yaml loads", (source, message) => {
    expect(() => compileTemplate(source)).toThrow(TemplateError);
    expect(() => compileTemplate(source)).toThrow(message);
  });
});

describe("a placeholder inside an address fills one part of the JID and nothing more (RFC 7622 §3)", () => {
  const notify = compileTemplate(`<message to="{{ params.user }}@example.com"><body>hi</body></message>`);
  const refusal = (fn: () => unknown): GatewayError => {
    try {
      fn();
    } catch (err) {
      if (err instanceof GatewayError) return err;
      throw err;
    }
    throw new Error("expected a refusal");
  };

  test("a plain user name becomes the localpart", () => {
    expect(notify.render({ params: { user: "bob" } }).attrs.to).toBe("bob@example.com");
  });

  test.each(["bob@evil.com/res", "bob/x", "a b", ""])("refuse %p as a localpart with 400 INVALID_JID naming the attribute", (user) => {
    const err = refusal(() => notify.render({ params: { user } }));
    expect(err.status).toBe(400);
    expect(err.code).toBe("INVALID_JID");
    expect(err.details.field).toBe("to");
  });

  test("say which placeholder and which part were refused", () => {
    const err = refusal(() => notify.render({ params: { user: "bob@evil.com" } }));
    expect(err.details).toMatchObject({ field: "to", placeholder: "params.user", part: "localpart" });
    expect(err.message).toBe(`"to": {{ params.user }} must be a JID localpart only, not "bob@evil.com"`);
  });

  test("a domainpart may not carry an @ or a /; a resourcepart may carry both", () => {
    const t = compileTemplate(`<presence to="room@{{ body.service }}/{{ body.nick }}"/>`);
    expect(t.render({ body: { service: "muc.example.com", nick: "a@b/c d" } }).attrs.to).toBe("room@muc.example.com/a@b/c d");
    expect(refusal(() => t.render({ body: { service: "evil.com/x", nick: "n" } })).details.part).toBe("domainpart");
    expect(refusal(() => t.render({ body: { service: "x@evil.com", nick: "n" } })).details.part).toBe("domainpart");
    expect(refusal(() => t.render({ body: { service: "muc.example.com", nick: "bell\u0007" } })).code).toBe("INVALID_XML_TEXT");
  });

  test("a placeholder before a literal resource fills the bare JID", () => {
    const t = compileTemplate(`<message to="{{ body.to }}/gateway"/>`);
    expect(t.render({ body: { to: "bob@example.com" } }).attrs.to).toBe("bob@example.com/gateway");
    expect(refusal(() => t.render({ body: { to: "bob@example.com/other" } })).details.part).toBe("bare");
  });

  test("a placeholder next to literal text without an @ is part of the domain", () => {
    const t = compileTemplate(`<message to="{{ params.host }}.example.com"/>`);
    expect(t.render({ params: { host: "eu" } }).attrs.to).toBe("eu.example.com");
    expect(refusal(() => t.render({ params: { host: "bob@evil.com/x" } })).details.part).toBe("domainpart");
  });

  test("a placeholder that is the whole attribute is checked as a whole JID", () => {
    const t = compileTemplate(`<message to="{{ body.to }}"/>`);
    expect(t.render({ body: { to: "bob@example.com/res" } }).attrs.to).toBe("bob@example.com/res");
    expect(refusal(() => t.render({ body: { to: "a b@example.com" } })).message).toBe(`"to" is not a valid JID`);
  });
});
