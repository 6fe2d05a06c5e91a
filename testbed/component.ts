// A bare XEP-0114 component on the test Prosody, with the same inbox API as the
// test clients. Tests use it to act as the gateway's domain without the engine;
// the benchmark uses it to push stanzas straight into the server.
import { component } from "@xmpp/component";
import type { Entity } from "@xmpp/client";
import type { XmppServer } from "./xmpp-server.ts";
import { StanzaInbox, type StanzaEndpoint } from "./stanza-inbox.ts";
import { inboxMethods, startBounded, stopBounded, wireEntity, type InboxMethods } from "./entity.ts";

export interface RawComponentOptions {
  /** Defaults to prosody.componentDomain (the gateway's domain, privileged by default). */
  domain?: string;
  /** Defaults to prosody.componentSecret. */
  secret?: string;
  /** Let xmpp.js reconnect after a disconnect, e.g. across prosody.restart() (default false). */
  reconnect?: boolean;
}

export interface RawComponent extends InboxMethods, StanzaEndpoint {
  /** The component domain; stanzas sent without 'from' get it. */
  readonly jid: string;
  readonly domain: string;
  /**
   * The raw @xmpp/component entity. Its iq callee answers unhandled get/set
   * requests with service-unavailable, while they still reach nextStanza().
   */
  readonly xmpp: Entity;
  /** Close the stream; bounded, never throws. */
  stop(): Promise<void>;
}

export async function connectRawComponent(prosody: XmppServer, opts: RawComponentOptions = {}): Promise<RawComponent> {
  const domain = opts.domain ?? prosody.componentDomain;
  const xmpp = component({
    service: `xmpp://127.0.0.1:${prosody.componentPort}`,
    domain,
    password: opts.secret ?? prosody.componentSecret,
  });
  if (opts.reconnect !== true) xmpp.reconnect.stop();
  const inbox = new StanzaInbox(`component ${domain}`);
  wireEntity(xmpp, inbox); // before start(): Prosody sends the privilege message right after <handshake/>
  await startBounded(xmpp, `component ${domain}`);
  return {
    ...inboxMethods(xmpp, inbox),
    jid: domain,
    domain,
    xmpp,
    async stop() {
      inbox.close("component stopped");
      await stopBounded(xmpp);
    },
  };
}
