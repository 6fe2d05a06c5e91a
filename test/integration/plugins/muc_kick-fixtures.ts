// Shared set-up for the muc_kick tests: routes.yaml, HTTP calls, rooms configured by their owner.
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { NS_MUC_USER, isPresence, jidMatches, type StanzaEndpoint, type StanzaPredicate } from "../../../testbed/xmpp-client.ts";
import type { TestGateway } from "../../helpers/gateway.ts";

/** The value mod_http_muc_kick's README puts in http_muc_kick_authorization_header. */
const AUTH = "Basic YWxhZGRpbjpvcGVuc2VzYW1l";

/**
 * A second MUC service where the gateway is no service admin (rooms make it an admin one by one)
 * and carol is: she is an owner in every room of it.
 */
export const MUC2 = "muc2.localhost";

export function routesYaml(routes: string): string {
  return `auth:\n  kick:\n    kind: header\n    value: "${AUTH}"\nroutes:\n${routes}`;
}

export function postJson(gw: TestGateway, path: string, body: unknown, authorization: string | null = AUTH): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (authorization !== null) headers.authorization = authorization;
  return gw.post(path, { headers, body: typeof body === "string" ? body : JSON.stringify(body) });
}

export { configureRoom } from "../../../testbed/xmpp-client.ts";

/** §10.6 / §10.3: the owner grants an affiliation. */
export async function setAffiliation(owner: StanzaEndpoint, room: string, jid: string, affiliation: string): Promise<void> {
  const item = xml("item", { jid, affiliation });
  await owner.iq(xml("iq", { type: "set", to: room }, xml("query", { xmlns: "http://jabber.org/protocol/muc#admin" }, item)));
}

/** An occupant's unavailable presence from `occupant` (room/nick) carrying status `code`. */
export function leftWithStatus(occupant: string, code: string): StanzaPredicate {
  return (s) => isPresence(s) && s.attrs.type === "unavailable" && jidMatches(s.attrs.from, occupant) && statusCodes(s).includes(code);
}

export function statusCodes(presence: Element): string[] {
  return (
    presence
      .getChild("x", NS_MUC_USER)
      ?.getChildren("status")
      .map((s) => s.attrs.code ?? "") ?? []
  );
}

export function mucItem(presence: Element): Element | undefined {
  return presence.getChild("x", NS_MUC_USER)?.getChild("item");
}
