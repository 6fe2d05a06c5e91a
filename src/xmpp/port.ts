/** The XmppPort plugins and features use, over the link, delivery and the stanza router. */
import type { Element } from "ltx";
import type { CoreConfig } from "../config/config-types.ts";
import type { XmppPort } from "../plugin-api/index.ts";
import { GatewayError } from "../plugin-api/errors.ts";
import type { Delivery } from "./delivery.ts";
import type { XmppLink } from "./link.ts";
import type { StanzaRouter } from "./router.ts";

export function xmppPort(
  config: CoreConfig,
  link: XmppLink,
  delivery: Pick<Delivery, "deliver">,
  router: StanzaRouter,
): Omit<XmppPort, "rooms"> {
  return {
    component: config.xmpp.component,
    host: config.xmpp.host,
    isOnline: () => link.status === "online",
    privileges: (host) => link.privileges(host),
    serverSoftware: () => link.serverSoftware(),
    send: async (el: Element) => {
      if (link.status !== "online") throw new GatewayError("LINK_DOWN");
      await link.send(el);
    },
    request: (iq, timeoutMs) => link.request(iq, timeoutMs),
    deliver: (el) => delivery.deliver(el),
    onStanza: (handler, options) => router.add(handler, options),
    observe: (observer) => router.observe(observer),
    on: (event, listener) => link.on(event, listener),
  };
}
