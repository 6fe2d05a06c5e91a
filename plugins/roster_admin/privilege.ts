/**
 * A component cannot own rosters; it needs XEP-0356 "Roster Access" of type "both" (get to read,
 * set to write). Without it the refresh endpoints answer 503, and an operator must hear why at
 * start-up, not at the first refresh.
 */
import { GatewayError, type Logger, type XmppPort } from "../../src/plugin-api.ts";

/**
 * mod_privilege advertises right after the handshake (XEP-0356 "Advertising"); a server that
 * grants nothing sends no advertisement at all, so silence this long after coming online means
 * "no privilege".
 */
export const ADVERTISEMENT_GRACE_MS = 2_000;

const SETUP_HINT =
  'Prosody: modules_enabled = { "privilege" } on the VirtualHost and the Component, and privileged_entities = { ["<component>"] = { roster = "both", presence = "managed_entity" } }';

/** Throws PRIVILEGE_MISSING (503) unless the roster permission is "both". */
export function requireRosterPrivilege(xmpp: XmppPort): void {
  const granted = xmpp.privileges().roster;
  if (granted === "both") return;
  throw new GatewayError("PRIVILEGE_MISSING", 'The XMPP server did not grant the roster permission "both" (XEP-0356) this route needs', {
    details: { permission: "roster", required: "both", granted },
  });
}

/** Logs a warning when the advertisement lacks what this plugin needs, or never comes. */
export function watchPrivileges(xmpp: XmppPort, log: Logger, syncOnLogin: boolean): { stop(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const clear = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  const check = () => {
    clear();
    const { roster, presence } = xmpp.privileges();
    if (roster !== "both") {
      log.warn('roster_admin needs XEP-0356 roster permission "both": refreshes will answer 503 until the server grants it', { granted: roster, hint: SETUP_HINT });
    } else if (syncOnLogin && presence === "none") {
      log.warn('no XEP-0356 presence permission "managed_entity": rosters are synced on refresh only, not when users log in', { hint: SETUP_HINT });
    }
  };
  xmpp.on("online", () => {
    clear();
    timer = setTimeout(check, ADVERTISEMENT_GRACE_MS);
  });
  xmpp.on("privileges", check);
  xmpp.on("offline", clear);
  return { stop: clear };
}
