/**
 * Who a message comes from. mod_post_msg ran inside the server and sent as the authenticated user;
 * a component can only do that with XEP-0356 (Privileged Entity) message permission "outgoing"
 * (§5.2): it wraps the user's message in <privilege><forwarded/></privilege> and the server sends
 * it as the user. Without that permission, or for identities without a JID, the message comes
 * from `fallback_from`, an address of the component's own domain. A user of another virtual host
 * of the same server is sent as when that host granted the permission too.
 *
 * The server advertises the permission right after the handshake (§4); the host warns when it is
 * missing (the plugin's `privileges` declaration). The last advertisement is
 * remembered across reconnects and restarts (permission-memory.ts), so that a message accepted
 * while the link is down, or in the moment before the advertisement arrives, is still sent as
 * the user (xmpp.host's grant only: other hosts count once they advertised at this connection).
 * The choice is made when the message is accepted: a queued message keeps it.
 */
import { bareJid } from "../../src/kit/jid.ts";
import { onGrants, wrapPrivilegedMessage } from "../../src/kit/privileges.ts";
import type { Element, Identity, Logger, PrivilegeNamespace, XmppPort } from "../../src/plugin-api/index.ts";
import { processMemory, type PermissionMemory } from "./permission-memory.ts";

interface Addressed {
  /** The `from` the recipient sees. */
  from: string;
  /** What goes to the server: the message itself, or its privileged wrapper. */
  stanza: Element;
}

export interface Sender {
  address(message: Element, user: Identity): Addressed;
  stop(): void;
}

export interface SenderOptions {
  /** The sender when the user cannot be (options.ts `fallbackFrom`). */
  fallbackFrom: string;
  log: Logger;
  /** Where the last advertisement is kept; default: this process only. */
  memory?: PermissionMemory;
}

export function createSender(xmpp: XmppPort, options: SenderOptions): Sender {
  const { fallbackFrom } = options;
  const permission = watchMessagePermission(xmpp, { log: options.log, memory: options.memory ?? processMemory() });
  /** The namespace to wrap in when `host` granted message "outgoing", else false. */
  const grantOf = (host: string): PrivilegeNamespace | undefined | false => {
    if (host === xmpp.host) return permission.granted() ? permission.namespace() : false;
    const other = xmpp.privileges(host);
    return other.message === "outgoing" ? other.namespace : false;
  };
  return {
    address(message, user) {
      const jid = user.jid ? bareJid(user.jid).toLowerCase() : undefined;
      const host = jid?.slice(jid.indexOf("@") + 1);
      // mod_privilege only forwards messages from bare JIDs of the host that granted the permission,
      // so each host's user goes out through that host (each advertises its own grants).
      const namespace = host === undefined ? undefined : grantOf(host);
      if (jid && host !== undefined && namespace !== false) {
        message.attrs.from = jid;
        return { from: jid, stanza: wrapPrivilegedMessage(message, host, xmpp.component, namespace) };
      }
      message.attrs.from = fallbackFrom;
      return { from: fallbackFrom, stanza: message };
    },
    // Nothing to stop: its listeners are on the generation's port and go with it.
    stop: () => {},
  };
}

interface Permission {
  granted(): boolean;
  /** The namespace the server advertised in (ejabberd 23.01 accepts only :1, Prosody only :2). */
  namespace(): PrivilegeNamespace | undefined;
}

function watchMessagePermission(xmpp: XmppPort, { log, memory }: { log: Logger; memory: PermissionMemory }): Permission {
  /** The last advertisement, from before a restart too. */
  let known = memory.load();
  /** What this process last logged, so each start says it once (the host warns when it is missing). */
  let told: boolean | undefined;
  onGrants(xmpp, (privileges) => {
    const granted = privileges.message === "outgoing";
    if (granted && told !== true)
      log.info("XEP-0356 message permission granted: messages go out from the authenticated user", { host: xmpp.host });
    told = granted;
    const namespace = privileges.namespace;
    if (known !== granted || (namespace !== undefined && namespace !== memory.namespace()))
      memory.save(granted, namespace ?? memory.namespace());
    known = granted;
  });
  return {
    granted: () => xmpp.privileges().message === "outgoing" || known === true,
    namespace: () => xmpp.privileges().namespace ?? memory.namespace(),
  };
}
