/** `preset: apprise` under routes: its keys, and the route they compile to. */
import { Type } from "@sinclair/typebox";
import { RecipientsSchema, type RouteRoomEntries } from "../../config/route-recipients.ts";
import { Closed } from "../../config/schema.ts";
import type { RouteBase } from "../../feature-api.ts";

export const AppriseRouteSchema = Closed({
  preset: Type.Literal("apprise", {
    description:
      "Apprise's own targets: `json://` notifications posted to `path`, and the Apprise API (`apprise://`) at `<path>/notify/<key>`.",
  }),
  path: Type.String({
    pattern: "^/",
    description:
      "Where Apprise posts: `json://host:port/apprise` posts to /apprise; `apprise://host:port/apprise/KEY` to /apprise/notify/KEY.",
  }),
  to: RecipientsSchema,
  auth: Type.Optional(
    Type.String({
      description:
        "The name of an auth scheme from `auth:`; Apprise sends HTTP Basic when its URL has `user:password@` (`kind: basic`), and json:// any header given as `+Name=value` (`kind: header`).",
    }),
  ),
});

export interface AppriseRoute extends RouteBase {
  readonly kind: "apprise";
  /** Where json:// posts; never ends with `/` but the root. */
  readonly path: string;
  readonly to: readonly string[];
  readonly rooms: RouteRoomEntries;
}

/** `/apprise/` and `/apprise` are one place: json:// posts there, the Apprise API below it. */
export const jsonPath = (path: string) => (path.length > 1 ? path.replace(/\/+$/, "") || "/" : path);

/** The Apprise API's `POST /notify/<key>` under the route (NotifyAppriseAPI: `{path}/notify/{token}`). */
export const notifyPath = (route: Pick<AppriseRoute, "path">) => `${route.path === "/" ? "" : route.path}/notify`;
