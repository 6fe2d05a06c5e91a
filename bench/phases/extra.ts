/** The plugin phases after post_msg: component_http, muc_kick, roster_admin (filled in below). */
import type { Prosody } from "../../test/helpers/prosody.ts";
import type { TestClient } from "../../test/helpers/xmpp-client.ts";
import type { Results } from "../lib/report.ts";

export interface PhaseContext {
  prosody: Prosody;
  bob: TestClient;
  loadDomain: string;
  loadSecret: string;
  n: number;
}

export async function extraPhases(_ctx: PhaseContext): Promise<Results> {
  return {};
}
