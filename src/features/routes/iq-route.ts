/**
 * A declarative route whose template is an `<iq type="get|set">`: the gateway sends it and waits
 * for the answer, as Prosody's mod_rest does (RFC 6120 §8.2.3: every get/set gets exactly one
 * result or error). The iq is never queued in the outbox: an answer a minute late answers nobody,
 * so while the link is down the caller gets 503 LINK_DOWN at once.
 *
 *   result  -> 200: `respond:` rendered, else {"type":"result","from":...,"stanza":"<iq .../>"};
 *              `Accept: application/xml` (or text/xml) gets the stanza itself
 *   error   -> the status of its condition (stanza-error.ts), with condition, type and text
 *   silence -> 504 XMPP_TIMEOUT after the route's timeout_ms
 */
import type { Element } from "ltx";
import { GatewayError, IqTimeoutError, XmppStanzaError, httpStatusOfStanzaError, jsonResponse } from "../../plugin-api/errors.ts";
import type { CompiledRespond, RespondScope } from "./respond.ts";

export interface IqPort {
  request(iq: Element, timeoutMs: number): Promise<Element>;
  isOnline(): boolean;
}

/** Whether a rendered stanza is an iq that expects an answer (a result or error is not). */
export function isIqRequest(stanza: Element): boolean {
  return stanza.name === "iq" && (stanza.attrs.type === "get" || stanza.attrs.type === "set");
}

export interface IqCall {
  iq: Element;
  timeoutMs: number;
  accept: string | null;
  respond: CompiledRespond | undefined;
  scope: Omit<RespondScope, "reply">;
}

export async function iqRoundTrip(call: IqCall, port: IqPort): Promise<Response> {
  if (!port.isOnline()) throw new GatewayError("LINK_DOWN", "Not connected to the XMPP server; an iq is never queued");
  let reply: Element;
  try {
    reply = await port.request(call.iq, call.timeoutMs);
  } catch (err) {
    throw asGatewayError(err, call);
  }
  if (wantsXml(call.accept))
    return new Response(reply.toString(), { status: 200, headers: { "content-type": "application/xml; charset=utf-8" } });
  if (call.respond) return jsonResponse(200, call.respond.render({ ...call.scope, reply }));
  return jsonResponse(200, { type: "result", from: reply.attrs.from ?? null, stanza: reply.toString() });
}

function asGatewayError(err: unknown, call: IqCall): unknown {
  if (err instanceof GatewayError) return err;
  if (err instanceof XmppStanzaError) {
    const details = {
      condition: err.condition,
      type: err.type,
      ...(err.text ? { text: err.text } : {}),
      from: err.stanza.attrs.from ?? null,
    };
    return new GatewayError("XMPP_ERROR", err.text ?? `The XMPP entity answered ${err.condition}`, {
      status: httpStatusOfStanzaError(err.condition),
      details,
    });
  }
  if (err instanceof IqTimeoutError) {
    return new GatewayError("XMPP_TIMEOUT", `No answer from ${err.to ?? "the server"} within ${call.timeoutMs} ms`, {
      details: { timeout_ms: call.timeoutMs },
    });
  }
  // The link went down between the check and the answer (iq-caller.ts cancels what is pending).
  return new GatewayError("LINK_DOWN", "The connection to the XMPP server was lost before the answer");
}

const XML_TYPES = new Set(["application/xml", "text/xml"]);

/** RFC 9110 §12.5.1: the acceptable type of highest quality among JSON and XML; JSON on a tie. */
function wantsXml(accept: string | null): boolean {
  let json = -1;
  let xml = -1;
  for (const range of (accept ?? "").split(",")) {
    const [type = "", ...params] = range.split(";").map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) || 0 : 1;
    if (XML_TYPES.has(type)) xml = Math.max(xml, q);
    if (type === "application/json") json = Math.max(json, q);
  }
  return xml > 0 && xml > json;
}
