// The one error catalogue (src/plugin-api/errors.ts): the shared codes, and the codes each plugin owns in its
// folder and declares in its definition (`errors`), added to the catalogue as the plugins register.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ERROR_CATALOGUE } from "../../src/features/index.ts";
import { GatewayError, errorCatalogue, errorResponse, ownErrors } from "../../src/plugin-api/errors.ts";

describe("a plugin's own error codes", () => {
  test("are in the catalogue once the built-in plugins register, with their status and sentence", () => {
    expect(ERROR_CATALOGUE.http.get("WEB_APP_FAILED")).toMatchObject({
      code: "WEB_APP_FAILED",
      status: 502,
      message: "The web app did not answer usable contacts",
    });
    expect(ERROR_CATALOGUE.http.get("MISSING_RECIPIENT")).toMatchObject({
      code: "MISSING_RECIPIENT",
      status: 422,
      message: "No recipient given",
    });
    expect(ERROR_CATALOGUE.stanza.get("WEBHOOK_TIMEOUT")).toEqual({
      type: "wait",
      condition: "remote-server-timeout",
      text: "Webhook timed out",
    });
    expect(ERROR_CATALOGUE.http.get("NOT_FOUND")).toEqual({ status: 404, message: "Not found" });
  });

  test("are told to HTTP callers as the shared ones are", async () => {
    const { TEAPOT } = ownErrors({ TEAPOT: { status: 418, message: "A teapot" } });
    const res = errorResponse(new GatewayError(TEAPOT, undefined, { details: { pot: 1 } }));
    expect(res.status).toBe(418);
    expect(await res.text()).toBe('{"error":"A teapot","code":"TEAPOT","pot":1}');
  });

  test("are refused when the core or another plugin already has the code", () => {
    const twice = ownErrors({ NOT_FOUND: { status: 404, message: "Gone fishing" } });
    expect(() => errorCatalogue([{ name: "fishing", errors: { http: twice } }])).toThrow(
      "fishing declares the error code NOT_FOUND, which the catalogue already has",
    );
    const mine = ownErrors({ MINE: { status: 409, message: "Mine" } });
    const both = [
      { name: "one", errors: { http: mine } },
      { name: "two", errors: { http: mine } },
    ];
    expect(() => errorCatalogue(both)).toThrow("two declares the error code MINE");
    expect(() => errorCatalogue([{ name: "x", errors: { stanza: { NO_HANDLER: { type: "cancel", condition: "gone" } } } }])).toThrow(
      "x declares the error code NO_HANDLER",
    );
  });
});

test("docs/configuration.md lists every HTTP error code an answer may carry, the plugins' included (docs/formats.md the formats')", () => {
  const docs = ["configuration.md", "formats.md"].map((file) => readFileSync(join(import.meta.dir, "../../docs", file), "utf8")).join("\n");
  // CLIENT_GONE only reaches the debug log: the client that would read it has hung up.
  const answered = [...ERROR_CATALOGUE.http.keys()].filter((code) => code !== "CLIENT_GONE");
  expect(answered.filter((code) => !docs.includes(`\`${code}\``))).toEqual([]);
});
