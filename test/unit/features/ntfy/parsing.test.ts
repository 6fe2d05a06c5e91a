// The parts of a ntfy publish read as ntfy reads them: action buttons in both forms
// (server/actions.go), parameters by any of their names, headers as senders encode them.
import { describe, expect, test } from "bun:test";
import { parseActions } from "../../../../src/features/ntfy/actions.ts";
import { paramsOf } from "../../../../src/features/ntfy/params.ts";
import { GatewayError } from "../../../../src/plugin-api/errors.ts";

describe("action buttons", () => {
  test("the short form: implied action, label and url; key=value; quotes around commas and semicolons", () => {
    expect(parseActions(`view, "Open, now", https://a/; http, 'Close; door', url=https://b/, method=put, clear=true`)).toEqual([
      { action: "view", label: "Open, now", url: "https://a/", clear: false },
      { action: "http", label: "Close; door", url: "https://b/", method: "PUT", clear: true },
    ]);
  });

  test("broadcast needs no url; headers.* and extras.* are accepted and not shown", () => {
    expect(parseActions("broadcast, Take photo, extras.cmd=pic, headers.x=1")).toEqual([
      { action: "broadcast", label: "Take photo", clear: false },
    ]);
  });

  test("the JSON form", () => {
    expect(parseActions(`[{"action":"VIEW","label":"Log","url":"https://l/","clear":true}]`)).toEqual([
      { action: "view", label: "Log", url: "https://l/", clear: true },
    ]);
  });

  test.each([
    ["an unknown key", "view, a, https://a/, colour=red", "key 'colour' unknown"],
    ["a quote not closed", `view, "a, https://a/`, "quote not closed"],
    ["no label", "view", "parameter 'label' is required"],
    ["JSON that is not an array", `[{"action":"view"`, "JSON error"],
  ])("%s is ntfy's 40018", (_what, input, detail) => {
    const err = (() => {
      try {
        parseActions(input);
      } catch (e) {
        return e;
      }
    })() as GatewayError;
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.body).toMatchObject({ code: 40018, http: 400 });
    expect((err.body as { error: string }).error).toContain(detail);
  });
});

describe("parameters", () => {
  const params = (headers: Record<string, string>, query = "") => paramsOf(new Headers(headers), new URLSearchParams(query));

  test("a header wins over the query string, which is read under the lower-cased name", () => {
    expect(params({ "X-Title": "header" }, "title=query").get("x-title", "title", "t")).toBe("header");
    expect(params({}, "t=query").get("x-title", "title", "t")).toBe("query");
  });

  test("RFC 2047 encoded-words in B and Q, adjacent ones joined", () => {
    expect(params({ Title: "=?utf-8?q?Gr=C3=B6=C3=9Fe_ok?=" }).get("title")).toBe("Größe ok");
    expect(params({ Title: "=?UTF-8?B?R3I=?= =?UTF-8?B?w7bDn2U=?=" }).get("title")).toBe("Größe");
  });

  test("the Priority header Cloudflare adds (RFC 9218, u=3, i) is not ntfy's: the other names are read", () => {
    expect(params({ Priority: "u=3, i" }, "p=5").get("x-priority", "priority", "prio", "p")).toBe("5");
    expect(params({ Priority: "u=1" }).get("priority", "p")).toBe("");
  });
});
