/** What auth kinds share in their schemas (each kind's own keys are in its folder, src/features/auth/). */
import { Type } from "@sinclair/typebox";

export const Realm = Type.String({ default: "Stanzagate", description: "The realm sent in WWW-Authenticate." });
