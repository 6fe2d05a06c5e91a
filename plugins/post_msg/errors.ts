/** The HTTP error code only post_msg answers, added to the catalogue when the plugin registers. */
import { ownErrors } from "../../src/plugin-api/index.ts";

export const POST_MSG_ERRORS = ownErrors({
  MISSING_RECIPIENT: { status: 422, message: "No recipient given" },
});
