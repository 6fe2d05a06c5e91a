// Liquid in stanza templates: what a template can do, and the invariants no input can break.
import { describe, expect, test } from "bun:test";
import { compileTemplate, TemplateError } from "../../src/templates/template.ts";
import { compileCondition } from "../../src/templates/condition.ts";
import { GatewayError } from "../../src/plugin-api/errors.ts";
import alertmanager from "../fixtures/webhooks/alertmanager-firing.json";

const all = (source: string, scope: Record<string, unknown>, strict = false) =>
  compileTemplate(source).renderAll(scope, { strict }).map(String);
const one = (source: string, scope: Record<string, unknown>) => compileTemplate(source).render(scope).toString();
const refusal = (fn: () => unknown): GatewayError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
};

describe("what a template reads", () => {
  test("nested paths with indexes", () => {
    expect(one(`<message to="a@b"><body>{{ body.alerts[1].labels.instance }}</body></message>`, { body: alertmanager })).toBe(
      `<message to="a@b"><body>db2:9100</body></message>`,
    );
  });

  test("request headers by lower-cased name", () => {
    expect(
      one(`<message to="a@b"><body>{{ headers["x-github-event"] }}</body></message>`, { headers: { "x-github-event": "issues" } }),
    ).toBe(`<message to="a@b"><body>issues</body></message>`);
  });

  test("a missing field renders empty unless the route is strict, then 400 MISSING_FIELD naming it", () => {
    const source = `<message to="a@b"><body>[{{ body.alerts[0].labels.team }}]</body></message>`;
    expect(all(source, { body: alertmanager })).toEqual([`<message to="a@b"><body>[]</body></message>`]);
    const err = refusal(() => compileTemplate(source).renderAll({ body: alertmanager }, { strict: true }));
    expect(err.status).toBe(400);
    expect(err.code).toBe("MISSING_FIELD");
    expect(err.details.field).toBe("body.alerts[0].labels.team");
  });

  test("| parse_json reads JSON carried as text (a form's payload=); a parsed value passes unchanged", () => {
    const source = `{% assign p = body.payload | parse_json %}<message to="a@b"><body>{{ p.alerts[1].labels.instance }}</body></message>`;
    expect(one(source, { body: { payload: JSON.stringify(alertmanager) } })).toBe(`<message to="a@b"><body>db2:9100</body></message>`);
    expect(one(source, { body: { payload: alertmanager } })).toBe(`<message to="a@b"><body>db2:9100</body></message>`);
  });

  test("| parse_json on text that is not JSON is 422, and what it parses is still only text", () => {
    const source = `<message to="a@b"><body>{{ body.payload | parse_json }}</body></message>`;
    expect(refusal(() => one(source, { body: { payload: "{nope" } }))).toMatchObject({
      status: 422,
      code: "PAYLOAD_MISMATCH",
      message: "parse_json: the value is not JSON",
    });
    expect(refusal(() => one(source, { body: { payload: '"\\u0001"' } })).code).toBe("INVALID_XML_TEXT");
    expect(one(source, { body: { payload: '"<b>"' } })).toBe(`<message to="a@b"><body>&lt;b&gt;</body></message>`);
  });

  test("| default and {% if %} still work on a strict route", () => {
    const source = `<message to="a@b"><body>{{ body.team | default: "n/a" }}{% if body.missing %}!{% endif %}</body></message>`;
    expect(all(source, { body: {} }, true)).toEqual([`<message to="a@b"><body>n/a</body></message>`]);
  });
});

describe("bounds", () => {
  test("a render past its time limit is 422 PAYLOAD_MISMATCH, also when the limit ran out before the template began", () => {
    const source = `<message to="a@b"><body>{% for x in body.list %}{{ x }}{% endfor %}</body></message>`;
    const real = performance.now;
    let now = real.call(performance);
    // Every reading of the clock a second and a half later than the last: a process paused (or a
    // template too slow) at whichever check comes first.
    performance.now = () => (now += 1_500);
    try {
      expect(refusal(() => one(source, { body: { list: [1, 2, 3] } }))).toMatchObject({
        status: 422,
        code: "PAYLOAD_MISMATCH",
        details: { reason: "template render limit exceeded" },
      });
    } finally {
      performance.now = real;
    }
    expect(one(source, { body: { list: [1, 2, 3] } })).toBe(`<message to="a@b"><body>123</body></message>`);
  });
});

describe("logic", () => {
  test("a top-level loop gives one stanza per item", () => {
    const source = `{% for a in body.alerts %}
      <message to="ops@localhost" type="chat"><body>[{{ a.status | upcase }}] {{ a.labels.instance }}: {{ a.annotations.summary | default: "no summary" }}</body></message>
    {% endfor %}`;
    expect(all(source, { body: alertmanager })).toEqual([
      `<message to="ops@localhost" type="chat"><body>[FIRING] db1:9100: Disk /var is 97% full</body></message>`,
      `<message to="ops@localhost" type="chat"><body>[FIRING] db2:9100: Disk /var is 99% full &lt;really&gt;</body></message>`,
      `<message to="ops@localhost" type="chat"><body>[RESOLVED] db3:9100: no summary</body></message>`,
    ]);
  });

  test("a loop inside a body makes one summary", () => {
    const source = `<message to="ops@localhost"><body>{{ body.alerts.size }} alerts:{% for a in body.alerts %} {{ a.labels.instance }}{% unless forloop.last %},{% endunless %}{% endfor %}</body></message>`;
    expect(all(source, { body: alertmanager })).toEqual([
      `<message to="ops@localhost"><body>3 alerts: db1:9100, db2:9100, db3:9100</body></message>`,
    ]);
  });

  test("a loop or a condition around elements repeats or omits elements of the template", () => {
    const source = `<message to="a@b"><body>x</body>{% for l in body.links %}<x xmlns="jabber:x:oob"><url>{{ l }}</url></x>{% endfor %}{% if body.subject %}<subject>{{ body.subject }}</subject>{% endif %}</message>`;
    expect(all(source, { body: { links: ["u1", "u2"] } })).toEqual([
      `<message to="a@b"><body>x</body><x xmlns="jabber:x:oob"><url>u1</url></x><x xmlns="jabber:x:oob"><url>u2</url></x></message>`,
    ]);
  });

  test("an attribute that renders empty is left out", () => {
    expect(all(`<message to="a@b" type="{% if body.chat %}chat{% endif %}"/>`, { body: {} })).toEqual([`<message to="a@b"/>`]);
  });

  test.each([
    [`{{ body.s | upcase }} {{ body.s | downcase }} {{ body.s | upper }} {{ body.s | lower }}`, `ABC abc ABC abc`],
    [`{{ body.long | truncate: 8 }}`, `abcde...`],
    [`{{ body.list | join: ", " }}`, `a, b`],
    [`{{ body.when | date: "%Y-%m-%d %H:%M" }}`, `2024-05-01 10:00`],
    [`{{ body.obj | json }}`, `{"k":[1,"<"]}`],
    [`{{ body.q | url_encode }}`, `a+b%26c`],
    [`{% case body.s %}{% when "aBc" %}yes{% else %}no{% endcase %}`, `yes`],
    [`{% assign n = body.list | size %}{{ n | plus: 1 }}`, `3`],
  ])("filter and tag: %s", (expr, expected) => {
    const body = { s: "aBc", long: "abcdefghijkl", list: ["a", "b"], when: "2024-05-01T10:00:00Z", obj: { k: [1, "<"] }, q: "a b&c" };
    const out = all(`<message to="a@b"><body>${expr}</body></message>`, { body })[0] ?? "";
    expect(new DOMParserless(out).text).toBe(expected);
  });

  test("a when: condition reads the request like a template", () => {
    const when = compileCondition(`body.status == "firing" and headers["x-env"] != "test"`);
    expect(when.test({ body: { status: "firing" }, headers: {} })).toBe(true);
    expect(when.test({ body: { status: "resolved" }, headers: {} })).toBe(false);
    expect(when.test({ body: { status: "firing" }, headers: { "x-env": "test" } })).toBe(false);
  });
});

describe("invariants: input is text, never markup", () => {
  test.each([`<x/>`, `{% for a in b %}<x/>{% endfor %}`, `{{ body.other }}`, `]]><!--`, `\u0001` + `0\u0002`])(
    "a value %p renders as text",
    (value) => {
      const scope = { body: { v: value, other: "o" } };
      if (/[\u0001-\u0008]/.test(value)) {
        expect(refusal(() => one(`<message to="a@b"><body>{{ body.v }}</body></message>`, scope)).code).toBe("INVALID_XML_TEXT");
        return;
      }
      const el = compileTemplate(`<message to="a@b" id="{{ body.v }}"><body>{{ body.v }}</body></message>`).render(scope);
      expect(el.getChildElements().map((c) => c.name)).toEqual(["body"]);
      expect(el.getChildText("body")).toBe(value);
      expect(el.attrs.id).toBe(value);
    },
  );

  test("a loop over input cannot create attributes or elements", () => {
    const evil = [`" evil="1`, `<evil/>`, `\u0003`, `x\u0006`];
    const source = `<message to="a@b"><body>{% for v in body.list %}{{ v }}{% endfor %}</body>{% for v in body.list %}<x a="{{ v }}"/>{% endfor %}</message>`;
    const el = compileTemplate(source).render({ body: { list: evil.slice(0, 2) } });
    expect(Object.keys(el.attrs)).toEqual(["to"]);
    expect(el.getChildElements().map((c) => c.name)).toEqual(["body", "x", "x"]);
    expect(el.getChildElements().map((c) => Object.keys(c.attrs))).toEqual([[], ["a"], ["a"]]);
    for (const control of evil.slice(2))
      expect(refusal(() => compileTemplate(source).render({ body: { list: [control] } })).details.field).toBe("body.list[0]");
  });

  test("a field that XML cannot carry is refused with its path, anywhere in the payload", () => {
    const err = refusal(() => all(`<message to="a@b"/>`, { body: { alerts: [{ labels: { x: "bell\u0007" } }] } }));
    expect(err).toMatchObject({ status: 400, code: "INVALID_XML_TEXT" });
    expect(err.details.field).toBe("body.alerts[0].labels.x");
  });

  test("a value decoded by a filter into characters XML cannot carry is refused", () => {
    expect(refusal(() => one(`<message to="a@b"><body>{{ body.s | url_decode }}</body></message>`, { body: { s: "%01" } })).code).toBe(
      "INVALID_XML_TEXT",
    );
  });

  test("an address from a loop is checked per part", () => {
    const t = compileTemplate(`{% for u in body.users %}<message to="{{ u }}@localhost"/>{% endfor %}`);
    expect(t.renderAll({ body: { users: ["a", "b"] } }).map((e) => e.attrs.to)).toEqual(["a@localhost", "b@localhost"]);
    expect(refusal(() => t.renderAll({ body: { users: ["a", "x@evil.com"] } })).details).toMatchObject({
      field: "to",
      part: "localpart",
      placeholder: "u",
    });
  });

  test("an object or a list printed as text is 422 with a hint, not [object Object]", () => {
    const err = refusal(() => one(`<message to="a@b"><body>{{ body.alerts }}</body></message>`, { body: alertmanager }));
    expect(err.status).toBe(422);
    expect(err.message).toMatch(/must be a string, number or boolean/);
  });

  test("a loop over something that is not a list: a number or nothing gives no stanza, a string one", () => {
    const loop = `{% for a in body.alerts %}<message to="a@b"><body>{{ a }}</body></message>{% endfor %}`;
    expect(all(loop, { body: { alerts: 7 } })).toEqual([]);
    expect(all(loop, { body: { alerts: "x" } })).toEqual([`<message to="a@b"><body>x</body></message>`]);
    expect(all(`{% for a in body.alerts %}<message to="a@b"/>{% endfor %}`, { body: {} })).toEqual([]);
  });
});

describe("template errors at load", () => {
  test.each([
    [`<message to="a@b"><body>{% if body.x %}on</body></message>`, /not closed/],
    [`<message to="a@b"><body>{{ body.x | shout }}</body></message>`, /undefined filter: shout/],
    [`<message to="a@b">{% if body.x %}<body>a</body><body>{% endif %}</body></message>`, /open and close within/],
    [`<message to="a@b"><body>{% include "x" %}</body></message>`, /cannot read files/],
    [`<message to="a@b"><body>{% render "x" %}</body></message>`, /cannot read files/],
    [`{{ body.text }}<message to="a@b"/>`, /text outside the stanza/],
    [`<message to="a@b"><body>{{ headrs.x }}</body></message>`, /did you mean "headers"/],
    [`<message to="a@b"><body>&#123;&#123; body.x }}</body></message>`, /raw/],
  ])("%s", (source, message) => {
    expect(() => compileTemplate(source)).toThrow(TemplateError);
    expect(() => compileTemplate(source)).toThrow(message);
  });

  test("loop variables and assigned names are not unknown roots", () => {
    expect(() =>
      compileTemplate(
        `{% assign n = body.x %}{% for a in body.l %}<message to="a@b"><body>{{ a }}{{ n }}{{ forloop.index }}</body></message>{% endfor %}`,
      ),
    ).not.toThrow();
  });
});

/** The text of the only <body> of a serialized stanza, unescaped. */
class DOMParserless {
  constructor(private readonly xml: string) {}
  get text(): string {
    const m = /<body>([\s\S]*)<\/body>/.exec(this.xml);
    return (m?.[1] ?? "")
      .replaceAll("&lt;", "<")
      .replaceAll("&gt;", ">")
      .replaceAll("&quot;", '"')
      .replaceAll("&apos;", "'")
      .replaceAll("&amp;", "&");
  }
}
