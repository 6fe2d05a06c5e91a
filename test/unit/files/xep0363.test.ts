// The XEP-0363 uploader against a scripted server: what it asks (disco, then a slot), what it PUTs,
// and the sentence each refusal ends in. The real services are in
// test/integration/features/files/upload-xep0363.test.ts.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { createXep0363Uploader, type UploadLink } from "../../../src/files/xep0363/uploader.ts";
import { GatewayError, IqTimeoutError, XmppStanzaError } from "../../../src/plugin-api/errors.ts";
import { fakeFetch } from "../../helpers/fake-fetch.ts";

const NS = "urn:xmpp:http:upload:0";
const PUT_URL = "https://upload.example.org/slot-1/door.jpg";
const GET_URL = "https://files.example.org/slot-1/door.jpg";

const dir = mkdtempSync(join(tmpdir(), "sg-xep0363-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, "door.jpg");
writeFileSync(path, "0123456789");
const FILE = { path, name: "door.jpg", type: "image/jpeg", size: 10, sha256: "unused here" };

type Answer = Element | XmppStanzaError | IqTimeoutError;

/** A server whose answers are scripted by (to, namespace); every iq it gets is kept. */
function server(answers: Record<string, Answer | (() => Answer)>) {
  const asked: Array<{ to: string; ns: string; el: Element }> = [];
  const link: UploadLink = {
    component: "gateway.example.org",
    host: "example.org",
    async request(iq) {
      const child = iq.getChildElements()[0] as Element;
      const to = String(iq.attrs.to);
      const ns = String(child.attrs.xmlns);
      asked.push({ to, ns, el: iq });
      const key = `${to} ${ns}`;
      const scripted = answers[key];
      const answer = typeof scripted === "function" ? scripted() : scripted;
      if (answer === undefined) throw stanzaError("service-unavailable");
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { link, asked };
}

const result = (...children: Element[]) => xml("iq", { type: "result" }, ...children);
const items = (...jids: string[]) =>
  result(xml("query", { xmlns: "http://jabber.org/protocol/disco#items" }, ...jids.map((jid) => xml("item", { jid }))));
const form = (formType: string, max: string) =>
  xml(
    "x",
    { xmlns: "jabber:x:data", type: "result" },
    xml("field", { var: "FORM_TYPE", type: "hidden" }, xml("value", {}, formType)),
    xml("field", { var: "max-file-size" }, xml("value", {}, max)),
  );
const info = (features: string[], ...forms: Element[]) =>
  result(xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }, ...features.map((v) => xml("feature", { var: v })), ...forms));
const slot = (put: string, get: string, headers: Record<string, string> = {}) =>
  result(
    xml(
      "slot",
      { xmlns: NS },
      xml("put", { url: put }, ...Object.entries(headers).map(([name, value]) => xml("header", { name }, value))),
      xml("get", { url: get }),
    ),
  );
function stanzaError(condition: string, ...extra: Element[]): XmppStanzaError {
  const stanza = xml(
    "iq",
    { type: "error" },
    xml("error", { type: "cancel" }, xml(condition, { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" }), ...extra),
  );
  return XmppStanzaError.from(stanza);
}

/** An upload service at upload.example.org, listed by the server, advertising `max`. */
const SERVICE = {
  "example.org http://jabber.org/protocol/disco#items": items("muc.example.org", "upload.example.org"),
  "example.org http://jabber.org/protocol/disco#info": info(["http://jabber.org/protocol/disco#info"]),
  "muc.example.org http://jabber.org/protocol/disco#info": info(["http://jabber.org/protocol/muc"]),
  // ejabberd's shape: one form per namespace, the legacy one first with another limit.
  "upload.example.org http://jabber.org/protocol/disco#info": info([NS], form("urn:xmpp:http:upload", "1"), form(NS, "1000")),
};

type Put = { url: string; headers: Headers; body: string };
function recordingFetch(status = 201) {
  const puts: Put[] = [];
  const fetcher = fakeFetch(async (input, init) => {
    puts.push({ url: String(input), headers: new Headers(init?.headers), body: await new Response(init?.body).text() });
    return new Response(status === 201 ? "" : "refused", { status });
  });
  return { fetcher, puts };
}

async function failure(upload: Promise<string>): Promise<string> {
  const err = await upload.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof GatewayError) || err.code !== "UPLOAD_FAILED") throw new Error(`expected UPLOAD_FAILED, got ${String(err)}`);
  return err.message;
}

describe("XEP-0363 uploader", () => {
  test("finds the service among the server's items, asks it for a slot of the file's exact size, PUTs the bytes and returns the GET URL", async () => {
    const { link, asked } = server({ ...SERVICE, [`upload.example.org ${NS}`]: slot(PUT_URL, GET_URL) });
    const { fetcher, puts } = recordingFetch();
    expect(await createXep0363Uploader(link, { fetch: fetcher }).upload(FILE)).toBe(GET_URL);
    const request = asked.find((a) => a.ns === NS)?.el;
    expect(request?.attrs).toMatchObject({ type: "get", from: "gateway.example.org", to: "upload.example.org" });
    expect(request?.getChild("request", NS)?.attrs).toMatchObject({ filename: "door.jpg", size: "10", "content-type": "image/jpeg" });
    expect(puts.map((p) => [p.url, p.headers.get("content-type"), p.headers.get("content-length"), p.body])).toEqual([
      [PUT_URL, "image/jpeg", "10", "0123456789"],
    ]);
  });

  test("the PUT carries only the slot headers §4 allows (Authorization, Cookie, Expires), newlines stripped", async () => {
    const headers = { Authorization: "Bearer a\r\nb", Cookie: "c=1", Expires: "never", Host: "evil.example", "X-Other": "1" };
    const { link } = server({ ...SERVICE, [`upload.example.org ${NS}`]: slot(PUT_URL, GET_URL, headers) });
    const { fetcher, puts } = recordingFetch();
    await createXep0363Uploader(link, { fetch: fetcher }).upload(FILE);
    const sent = puts[0]?.headers;
    expect([sent?.get("authorization"), sent?.get("cookie"), sent?.get("expires"), sent?.get("host"), sent?.get("x-other")]).toEqual([
      "Bearer ab",
      "c=1",
      "never",
      null,
      null,
    ]);
  });

  test("the service is discovered once and kept; a slot answered item-not-found makes the next upload discover it again", async () => {
    let answer: Answer = slot(PUT_URL, GET_URL);
    const { link, asked } = server({ ...SERVICE, [`upload.example.org ${NS}`]: () => answer });
    const uploader = createXep0363Uploader(link, { fetch: recordingFetch().fetcher });
    await uploader.upload(FILE);
    await uploader.upload(FILE);
    const discoveries = () => asked.filter((a) => a.ns.endsWith("disco#items")).length;
    expect(discoveries()).toBe(1);
    answer = stanzaError("item-not-found");
    await failure(uploader.upload(FILE));
    answer = slot(PUT_URL, GET_URL);
    await uploader.upload(FILE);
    expect(discoveries()).toBe(2);
  });

  test("a file over the advertised max-file-size is refused before any slot is asked for", async () => {
    const { link, asked } = server(SERVICE);
    const message = await failure(createXep0363Uploader(link).upload({ ...FILE, size: 1001 }));
    expect(message).toContain("the upload service upload.example.org takes files up to 1000 bytes; this one has 1001");
    expect(asked.some((a) => a.ns === NS)).toBe(false);
  });

  const refusals: Array<[string, Answer, string]> = [
    [
      "file-too-large (§5) names the service's limit",
      stanzaError("not-acceptable", xml("file-too-large", { xmlns: NS }, xml("max-file-size", {}, "500"))),
      "takes files up to 500 bytes (XEP-0363 file-too-large)",
    ],
    [
      "forbidden says the access setting does not name the component",
      stanzaError("forbidden"),
      "does not grant this component a slot (forbidden): allow the component's domain",
    ],
    [
      "a quota with <retry/> says when",
      stanzaError("resource-constraint", xml("retry", { xmlns: NS, stamp: "2026-12-07T10:00:00Z" })),
      "refused for now (resource-constraint); retry after 2026-12-07T10:00:00Z",
    ],
    ["no answer in time says so", new IqTimeoutError("upload.example.org"), "did not answer the slot request in time"],
    ["a slot without URLs is unusable", result(xml("slot", { xmlns: NS })), "answered without a slot's PUT and GET URLs"],
    ["a slot URL that is not http(s) is refused", slot("file:///etc/passwd", GET_URL), "the slot's PUT URL is not an http(s) URL"],
  ];
  for (const [name, answer, sentence] of refusals) {
    test(`a refused slot is UPLOAD_FAILED: ${name}`, async () => {
      const { link } = server({ ...SERVICE, [`upload.example.org ${NS}`]: answer });
      expect(await failure(createXep0363Uploader(link, { fetch: recordingFetch().fetcher }).upload(FILE))).toContain(sentence);
    });
  }

  test("a server with no upload service: UPLOAD_FAILED says to load one", async () => {
    const { link } = server({ "example.org http://jabber.org/protocol/disco#items": items("muc.example.org") });
    expect(await failure(createXep0363Uploader(link).upload(FILE))).toContain("offers no upload service");
  });

  test("a server that cannot be asked (the link is down) is said so, not taken for one without a service", async () => {
    const link: UploadLink = {
      component: "gateway.example.org",
      host: "example.org",
      request: () => Promise.reject(new Error("XMPP link is not online")),
    };
    expect(await failure(createXep0363Uploader(link).upload(FILE))).toContain(
      "the XMPP server example.org could not be asked for its upload service: XMPP link is not online",
    );
  });

  test("a PUT the service does not answer with 2xx is UPLOAD_FAILED with its status, the slot's secret path left out", async () => {
    const { link } = server({ ...SERVICE, [`upload.example.org ${NS}`]: slot(PUT_URL, GET_URL) });
    const message = await failure(createXep0363Uploader(link, { fetch: recordingFetch(413).fetcher }).upload(FILE));
    expect(message).toContain("the upload slot https://upload.example.org answered the PUT with 413: refused");
    expect(message).not.toContain("slot-1");
  });
});
