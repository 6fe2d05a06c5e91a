// The attachments: section and http.public_url as `check` sees them (src/config/check-attachments.ts).
import { describe, expect, test } from "bun:test";
import { BUILTIN_PLUGINS } from "../../../plugins/index.ts";
import { loadConfig } from "../../../src/features/index.ts";
import { FAKE_HEAD } from "../../helpers/fake-gateway.ts";

const problems = (rest: string) => {
  const result = loadConfig(FAKE_HEAD + rest, {}, BUILTIN_PLUGINS);
  // A failed load lists the warnings too (the in-memory store's here): the errors are what these test.
  return result.ok ? [] : result.diagnostics.filter((d) => d.severity !== "warning").map((d) => `${d.line}:${d.path} ${d.message}`);
};

describe("attachments in routes.yaml", () => {
  test("http.public_url alone turns them on with every default", () => {
    const result = loadConfig(`${FAKE_HEAD}http:\n  public_url: https://gw.example.org\n`, {}, BUILTIN_PLUGINS);
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    expect(result.config.attachments).toEqual({
      path: "/files",
      max_file_bytes: 15_728_640,
      quota_bytes: 1_073_741_824,
      expire: "7d",
      rate: { files: 30, window_s: 60 },
      upload: "local",
      fallback: "local",
      remote: { fetch: false, allow: [], max_bytes: 15_728_640, timeout_s: 10 },
    });
  });

  test("an attachments: section without http.public_url is refused, saying what to set", () => {
    expect(problems("attachments:\n  expire: 30d\n")).toEqual([expect.stringContaining("attachments need http.public_url")]);
  });

  test("public_url must be an absolute http(s) URL; expire a number and a unit", () => {
    expect(problems("http:\n  public_url: gw.example.org\n")[0]).toContain("http.public_url");
    expect(problems("http:\n  public_url: https://gw.example.org\nattachments:\n  expire: 7 days\n")[0]).toContain("attachments.expire");
  });

  test("remote.allow entries must be CIDR ranges", () => {
    const found = problems(
      "http:\n  public_url: https://gw.example.org\nattachments:\n  remote:\n    fetch: true\n    allow: [10.0.0.0/8, intranet]\n",
    );
    expect(found).toEqual([expect.stringContaining('attachments.remote.allow[1] "intranet" is not an IP address')]);
  });

  test("the files path must not be a route's", () => {
    const routes = 'routes:\n  - path: /files/upload\n    send: <message to="bob@localhost"><body>hi</body></message>\n';
    expect(problems(`http:\n  public_url: https://gw.example.org\nattachments:\n  path: /files\n${routes}`)).toEqual([
      expect.stringContaining("/files is where files are served, but routes[0] serves /files/upload"),
    ]);
  });

  test("the files path must not be a route's with http.public_url alone too (no attachments: section)", () => {
    for (const path of ["/files/:id/:name", "/files/x"]) {
      const routes = `routes:\n  - path: ${path}\n    method: GET\n    send: <message to="bob@localhost"><body>hi</body></message>\n`;
      expect(problems(`http:\n  public_url: https://gw.example.org\n${routes}`)).toEqual([
        expect.stringContaining(`http.public_url /files is where files are served, but routes[0] serves ${path}`),
      ]);
    }
  });
});

test('store: ":memory:" with http.public_url: check warns that the links die with the process', () => {
  const result = loadConfig(`${FAKE_HEAD}http:\n  public_url: https://gw.example.org\n`, {}, BUILTIN_PLUGINS);
  expect(result.ok ? result.warnings.map((w) => `${w.path}: ${w.message}`) : []).toEqual([
    'store: with store: ":memory:" files are kept in a temporary folder: their links die when the gateway stops',
  ]);
});
