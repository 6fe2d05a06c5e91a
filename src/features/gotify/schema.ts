/** `preset: gotify` under routes: its keys, and the route they compile to. */
import { Type } from "@sinclair/typebox";
import { RecipientsSchema, type RouteRoomEntries } from "../../config/route-recipients.ts";
import { Closed } from "../../config/schema.ts";
import type { RouteBase } from "../../feature-api.ts";

export const GotifyRouteSchema = Closed({
  preset: Type.Literal("gotify", { description: "A Gotify server's message API (POST /message, DELETE /message/<id>)." }),
  to: RecipientsSchema,
  path: Type.String({
    pattern: "^/",
    default: "/",
    description: "Where the Gotify server would be: `/` serves POST /message and DELETE /message/<id>; `/gotify/` serves /gotify/message.",
  }),
  auth: Type.Optional(
    Type.String({
      description:
        "Required. The name of a `kind: bearer` scheme: its tokens are the application tokens senders give (?token=, X-Gotify-Key or Authorization: Bearer).",
    }),
  ),
});

export interface GotifyRoute extends RouteBase {
  readonly kind: "gotify";
  /** Always ends with `/`: the messages are at `<path>message`. */
  readonly path: string;
  readonly auth: string;
  readonly to: readonly string[];
  readonly rooms: RouteRoomEntries;
}

/** The two paths a route serves (Gotify's router.go: POST /message, DELETE /message/:id). */
export const messagePath = (route: Pick<GotifyRoute, "path">) => `${route.path}message`;
export const deletePath = (route: Pick<GotifyRoute, "path">) => `${route.path}message/:id`;
