/**
 * `plugin: post_msg` — mod_post_msg over a component: POST /msg/<recipient> with a text, form or
 * JSON body sends a <message/> from the authenticated user (via XEP-0356) to the recipient.
 *
 * @example
 * curl http://127.0.0.1:5280/msg/bob -u alice@localhost:alice-pw -H 'Content-Type: text/plain' -d 'Server has just crashed!' # make demo
 */
import {
  GatewayError,
  definePlugin,
  errorResponse,
  jsonResponse,
  type Authenticator,
  type Element,
  type HttpHandler,
  type Identity,
  type Logger,
} from "../../src/plugin-api/index.ts";
import { challenge, requireMayAddress } from "../../src/kit/auth.ts";
import { parseJid } from "../../src/kit/jid.ts";
import { POST_MSG_ERRORS } from "./errors.ts";
import { PostMsgOptionsSchema, fallbackFrom, validateOptions, type PostMsgOptions } from "./options.ts";
import { buildMessage, pathRecipient, resolveRecipient } from "./message.ts";
import { ACCEPT_HEADER, readFields } from "./request.ts";
import { PERMISSION_MIGRATIONS, createPermissionMemory } from "./permission-memory.ts";
import { createSender, type Sender } from "./sender.ts";

export default definePlugin({
  name: "post_msg",
  summary: "Sends an XMPP message from the authenticated user for each HTTP POST (mod_post_msg).",
  options: PostMsgOptionsSchema,
  defaultPath: "/msg",
  // mod_post_msg always required a login; an open relay sending as anyone is never what is meant.
  requiresAuth: true,
  errors: { http: POST_MSG_ERRORS },
  migrations: PERMISSION_MIGRATIONS,
  privileges: (options, xmpp) => [
    {
      access: "message",
      types: ["outgoing"],
      without: "messages go out from fallback_from, not from the authenticated user",
      fields: {
        host: xmpp.host,
        fallback_from: fallbackFrom(options, xmpp.component),
        hint: `grant it on the server, e.g. Prosody: privileged_entities = { ["${xmpp.component}"] = { message = "outgoing" } } with mod_privilege on the VirtualHost and the Component`,
      },
    },
  ],
  validate: (options, _route, xmpp) => validateOptions(options, xmpp),
  setup(ctx) {
    const { route, xmpp, http, options } = ctx;
    // Never true: requiresAuth makes the config load refuse this route without auth. The check
    // only narrows `Authenticator | undefined` for TypeScript, which cannot see that rule.
    if (!route.auth) throw new Error(`${route.at}: post_msg needs an auth scheme`);
    const memory = createPermissionMemory(ctx.store, xmpp.component, xmpp.host);
    const sender = createSender(xmpp, { fallbackFrom: fallbackFrom(options, xmpp.component), log: ctx.log, memory });
    const post = postHandler({
      auth: route.auth,
      realm: options.realm ?? `${xmpp.host}/post_msg`,
      sender,
      options,
      host: xmpp.host,
      deliver: xmpp.deliver,
      log: ctx.log,
    });
    const base = route.path.replace(/\/+$/, "");
    // The original served POST <base>/<recipient>; <base> itself answered a redirect to <base>/
    // that lost the body, which broke the documented "to field instead of the path" use.
    for (const path of [base, `${base}/*`]) {
      http.add("POST", path, post);
      http.add("OPTIONS", path, describeFormats);
    }
    return {};
  },
});

interface PostDeps {
  auth: Authenticator;
  realm: string;
  sender: Sender;
  options: PostMsgOptions;
  /** The user domain: the default host of recipients for identities without a JID. */
  host: string;
  deliver(stanza: Element): Promise<"sent" | "queued">;
  log: Logger;
}

/** In the original's order: auth (401), the body (415, then 400), the recipient (422); then the allow list (403). */
function postHandler(deps: PostDeps): HttpHandler {
  return async function postMessage({ request, params, ip }) {
    try {
      const user = await authenticate(deps.auth, request, ip, deps.realm);
      const fields = await readFields(request, deps.options.max_body_bytes);
      const message = buildMessage(fields);
      const to = resolveRecipient(fields.to ?? pathRecipient(params["*"]), domainOf(user) ?? deps.host);
      message.attrs.to = to;
      requireMayAddress(user, to);
      const { from, stanza } = deps.sender.address(message, user);
      const outcome = await deps.deliver(stanza);
      return jsonResponse(outcome === "sent" ? 201 : 202, { status: outcome, to, from });
    } catch (err) {
      if (!(err instanceof GatewayError)) deps.log.error("post_msg failed", { err: err instanceof Error ? err : String(err) });
      return errorResponse(err);
    }
  };
}

/** mod_post_msg challenged with `Basic realm="<host>/post_msg"`; the route keeps that realm. */
async function authenticate(auth: Authenticator, request: Request, ip: string, realm: string): Promise<Identity> {
  try {
    return await auth.authenticate(request, ip);
  } catch (err) {
    if (!(err instanceof GatewayError) || !err.headers["www-authenticate"]?.startsWith("Basic")) throw err;
    throw new GatewayError(err.spec, err.message, {
      details: err.details,
      headers: { ...err.headers, ...challenge(realm) },
      status: err.status,
    });
  }
}

/** "A recipient without @host goes to the authenticated user's host." */
function domainOf(user: Identity): string | undefined {
  return user.jid === undefined ? undefined : parseJid(user.jid)?.domain;
}

/** OPTIONS: what the original answered on its base path, on every path of the route. */
function describeFormats(): Response {
  return new Response(null, { status: 200, headers: { allow: "POST", accept: ACCEPT_HEADER } });
}
