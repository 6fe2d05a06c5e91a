/**
 * A component cannot own rosters; it needs XEP-0356 "Roster Access" of type "both" (get to read,
 * set to write). Without it the refresh endpoints answer 503; the host warns at start-up (the
 * plugin's `privileges` declaration), not at the first refresh.
 */
import { GatewayError, type XmppPort } from "../../src/plugin-api.ts";

export const SETUP_HINT =
  'Prosody: modules_enabled = { "privilege" } on the VirtualHost and the Component, and privileged_entities = { ["<component>"] = { roster = "both", presence = "managed_entity" } }';

/** Throws PRIVILEGE_MISSING (503) unless the roster permission is "both". */
export function requireRosterPrivilege(xmpp: XmppPort): void {
  const granted = xmpp.privileges().roster;
  if (granted === "both") return;
  throw new GatewayError("PRIVILEGE_MISSING", 'The XMPP server did not grant the roster permission "both" (XEP-0356) this route needs', {
    details: { permission: "roster", required: "both", granted },
  });
}
