/** What a sender format's route needs to read and deliver a notification, from the generation that runs it. */
import type { Authenticator } from "../auth/types.ts";
import type { FeatureContext, RouteBase } from "../feature-api.ts";
import type { FilesPort } from "../files/types.ts";
import type { GroupchatPort } from "./rooms.ts";
import type { NotifyPorts } from "./send.ts";

export interface FormatPorts extends NotifyPorts {
  /** The route's auth scheme, when it names one. */
  auth: Authenticator | undefined;
  /** http.max_body_bytes. */
  maxBodyBytes: number;
  /**
   * Where a file the sender sends goes (src/files/): undefined when attachments are off (no
   * http.public_url), and a format that receives a file answers ATTACHMENTS_OFF in its own shape.
   */
  files: FilesPort | undefined;
}

/** `groupchat`: the route's rooms (notify/rooms.ts `FormatRooms.port`), when its recipients name any. */
export function formatPorts(route: RouteBase, ctx: FeatureContext, groupchat?: GroupchatPort): FormatPorts {
  return {
    auth: route.auth ? ctx.authenticators.get(route.auth) : undefined,
    component: ctx.config.xmpp.component,
    maxStanzaBytes: ctx.config.xmpp.max_stanza_bytes,
    deliver: ctx.gateway.deliver,
    reserve: ctx.gateway.reserve,
    newId: ctx.gateway.newId,
    maxBodyBytes: ctx.config.http.max_body_bytes,
    groupchat,
    files: ctx.files,
  };
}
