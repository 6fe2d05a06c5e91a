// preset: apprise: what each payload becomes, and what json:// and the Apprise API answer.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appriseNotification } from "../../../../src/features/apprise/notification.ts";
import { htmlText } from "../../../../src/features/apprise/html.ts";
import { plainMarkdown } from "../../../../src/notify/markdown.ts";
import { fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";

describe("reading", () => {
  test("markdown: links keep their URL, strong emphasis is XEP-0393 bold, autolinks are bare", () => {
    expect(plainMarkdown('**Disk** full, see [the graph](https://g.example/d/1 "Graph") or <https://g.example/>')).toBe(
      "*Disk* full, see the graph (https://g.example/d/1) or https://g.example/",
    );
    expect(plainMarkdown("[https://nas01.example](https://nas01.example) ![](https://i.example/x.png)")).toBe(
      "https://nas01.example https://i.example/x.png",
    );
  });

  test("html: links keep their URL, blocks break lines, entities are decoded, other tags go", () => {
    expect(htmlText('<p>Disk <b>91%</b> full</p><p>see <a href="https://g.example/d?a=1&amp;b=2">the graph</a> &lt;now&gt;</p>')).toBe(
      "Disk 91% full\nsee the graph (https://g.example/d?a=1&b=2) <now>",
    );
  });

  test("a type is a badge; files and URLs are the notification's attachments, in order", () => {
    const attachments = [
      { kind: "link", url: "https://i.example/graph.png" },
      { kind: "link", url: "https://i.example/df.txt", name: "df.txt" },
    ] as const;
    const n = appriseNotification({
      title: "**nas01**",
      body: "see [log](https://nas01.example/log)",
      type: "failure",
      format: "markdown",
      attachments: [...attachments],
    });
    expect(n).toEqual({ title: "nas01", text: "see log (https://nas01.example/log)", badges: ["❌"], attachments: [...attachments] });
  });
});

describe("answers", () => {
  let gw: FakeGateway;
  beforeAll(async () => {
    gw = await fakeGateway(
      "auth:\n  ops: { kind: header, value: s3cret }\nroutes:\n  - { preset: apprise, path: /apprise/, to: bob@localhost }\n  - { preset: apprise, path: /guarded, auth: ops, to: bob@localhost }\n",
    );
  });
  afterAll(() => gw.stop());
  const json = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    gw.request(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const lastBody = () => gw.stanzas().at(-1)?.getChildText("body");

  test("json:// is 201 {status: sent} once the server has the message; a trailing slash in path changes nothing", async () => {
    const res = await json("/apprise", { version: "1.0", title: "nas01", message: "ok again", type: "success", attachments: [] });
    expect([res.status, await res.json()]).toEqual([201, { status: "sent" }]);
    expect(lastBody()).toBe("✅ *nas01*\nok again");
  });

  test("the Apprise API answers exactly 200, at /notify/<key> and /notify; a form works as JSON does", async () => {
    const keyed = await json("/apprise/notify/ops-key", { title: "t", body: "b", type: "warning", tag: ["devops"] });
    expect([keyed.status, await keyed.text()]).toEqual([200, "Notification(s) sent."]);
    const stateless = await gw.request("/apprise/notify", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: "body=see+%3Ca+href%3D%22https%3A%2F%2Fx.example%22%3Ex%3C%2Fa%3E&format=html&tag=a,b",
    });
    expect([stateless.status, await stateless.json()]).toEqual([200, { error: null, details: { status: "sent" } }]);
    expect(lastBody()).toBe("see x (https://x.example)");
  });

  test("a file when attachments are off (no http.public_url) is 400 in apprise-api's words, saying so; nothing is sent", async () => {
    const before = gw.stanzas().length;
    const form = new FormData();
    form.append("body", "Disk is 91% full");
    form.append("attach", new File(["Filesystem..."], "df.txt", { type: "text/plain" }));
    const res = await gw.request("/apprise/notify/ops-key", { method: "POST", body: form });
    expect([res.status, await res.text()]).toEqual([400, "This gateway does not take files: set http.public_url to turn attachments on"]);
    const inline = await json("/apprise", { message: "x", attachments: [{ filename: "df.txt", base64: "eA==", mimetype: "text/plain" }] });
    expect([inline.status, await inline.json()]).toMatchObject([400, { code: "ATTACHMENTS_OFF" }]);
    expect(gw.stanzas().length).toBe(before);
  });

  test("bad input is a 400 naming the field, in each sender's shape, and nothing is sent", async () => {
    const before = gw.stanzas().length;
    const noBody = await json("/apprise/notify/k", { title: "", body: "" });
    expect([noBody.status, await noBody.text()]).toEqual([400, "Payload lacks minimum requirements"]);
    const badType = await json("/apprise/notify/k", { body: "x", type: "critical" }, { accept: "application/json" });
    expect([badType.status, await badType.json()]).toEqual([
      400,
      { error: "type must be one of info, success, warning, failure", details: { code: "INVALID_BODY", field: "type" } },
    ]);
    const badAttachments = await json("/apprise", { message: "x", attachments: "df.txt" });
    expect([badAttachments.status, await badAttachments.json()]).toEqual([
      400,
      { error: "attachments must be a list", code: "INVALID_BODY", problems: [{ field: "attachments", problem: "must be a list" }] },
    ]);
    const badKey = await json("/apprise/notify/no.dots", { body: "x" });
    expect(badKey.status).toBe(404);
    expect(gw.stanzas().length).toBe(before);
  });

  test("a body too large is apprise-api's 431 on the API, the catalogue's 413 on json://", async () => {
    const big = "x".repeat(2 * 1024 * 1024);
    expect((await json("/apprise/notify/k", { body: big })).status).toBe(431);
    expect((await json("/apprise", { message: big })).status).toBe(413);
  });

  test("/openapi.json describes json:// and the Apprise API, with their answers", async () => {
    const doc = (await (await gw.request("/openapi.json")).json()) as { paths: Record<string, Record<string, { responses: object }>> };
    expect(Object.keys(doc.paths["/apprise"]?.post?.responses ?? {})).toContain("201");
    expect(doc.paths["/apprise/notify/{key}"]?.post?.responses).toHaveProperty("200");
    expect(doc.paths["/apprise/notify/{key}"]?.post?.responses).toHaveProperty("431");
  });

  test("behind an auth scheme: no credentials is 401 on both endpoints, the right header passes", async () => {
    expect((await json("/guarded", { message: "x" })).status).toBe(401);
    expect((await json("/guarded/notify/k", { body: "x" })).status).toBe(401);
    expect((await json("/guarded/notify/k", { body: "x" }, { authorization: "s3cret" })).status).toBe(200);
  });
});
