/** `kind: xmpp`: the user's XMPP address and password, checked by a SASL login to the server. */
import { defineAuthKind, defineFeature } from "../../../feature-api.ts";
import { xmppCheck, type PasswordCheck } from "./check.ts";
import { saslPasswordCheck } from "./sasl-check.ts";
import { XmppAuthSchema } from "./schema.ts";

export default defineFeature({
  name: "auth-xmpp",
  summary: "XMPP accounts, checked by the server.",
  authKinds: [
    defineAuthKind({
      kind: "xmpp",
      schema: XmppAuthSchema,
      create(name, scheme, deps) {
        const service = scheme.server ?? `xmpp://${new URL(deps.server).hostname}:5222`;
        const { host, store, linkOnline, log } = deps;
        const check = (deps.passwordCheck as PasswordCheck | undefined) ?? saslPasswordCheck(service);
        return xmppCheck(name, scheme, {
          host,
          check,
          ...(store ? { store } : {}),
          ...(linkOnline ? { linkOnline } : {}),
          ...(log ? { log: log.child({ auth: name }) } : {}),
        });
      },
      securityScheme: () => ({
        type: "http",
        scheme: "basic",
        description: "The user's XMPP address and password, checked by the XMPP server.",
      }),
    }),
  ],
});
