/**
 * The webhooks below one prefix, served through one set of registered patterns
 * (`<prefix>/:token`, `<prefix>/:token/messages/:message_id`). A webhook's token is its only
 * credential for senders that take just a URL, so it never becomes a registered path: request
 * logs, metrics labels and the OpenAPI document name the pattern. The token a request carries is
 * compared with each webhook's in constant time (its SHA-256, with timingSafeEqual); none matching
 * is Discord's own answer for a wrong token, 404 Unknown Webhook (10015).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { CoreRegistrar } from "../../feature-api.ts";
import type { HttpHandler } from "../../plugin-api/index.ts";
import { discordFailure, unknownWebhook } from "./errors.ts";
import type { DiscordHandlers } from "./handlers.ts";
import { hookPattern, messagePattern } from "./route.ts";

const digest = (token: string) => createHash("sha256").update(token).digest();

/** The webhooks of one generation, by prefix. */
export class DiscordHooks {
  private readonly byPrefix = new Map<string, Array<{ digest: Buffer; handlers: DiscordHandlers }>>();

  /** `fileBody`: the body limit of the requests that carry files (POST, PATCH), where attachments are on. */
  constructor(
    private readonly http: CoreRegistrar,
    private readonly fileBody: { maxBodyBytes?: number } = {},
  ) {}

  /** Adds one webhook; the first one below a prefix registers the prefix's patterns. */
  add(prefix: string, token: string, handlers: DiscordHandlers): void {
    let hooks = this.byPrefix.get(prefix);
    if (!hooks) {
      hooks = [];
      this.byPrefix.set(prefix, hooks);
      this.register(prefix, hooks);
    }
    hooks.push({ digest: digest(token), handlers });
  }

  private register(prefix: string, hooks: Array<{ digest: Buffer; handlers: DiscordHandlers }>): void {
    const dispatch =
      (which: keyof DiscordHandlers): HttpHandler =>
      (req) => {
        const wanted = digest(req.params.token ?? "");
        // Every webhook is compared, found or not: how long it takes says nothing of which matched.
        const found = hooks.filter((h) => timingSafeEqual(h.digest, wanted))[0];
        return found ? found.handlers[which](req) : discordFailure(unknownWebhook());
      };
    // A refusal the front door makes (a body too large) is Discord's too.
    const discordShaped = { refuse: discordFailure };
    this.http.add("GET", hookPattern(prefix), dispatch("webhook"), discordShaped);
    this.http.add("POST", hookPattern(prefix), dispatch("execute"), { ...discordShaped, ...this.fileBody });
    this.http.add("GET", messagePattern(prefix), dispatch("message"), discordShaped);
    this.http.add("PATCH", messagePattern(prefix), dispatch("edit"), { ...discordShaped, ...this.fileBody });
    this.http.add("DELETE", messagePattern(prefix), dispatch("remove"), discordShaped);
    // Any other path below the prefix (a token with a slash too many, a mistyped id) is no webhook either.
    this.http.unknown(prefix, () => discordFailure(unknownWebhook()));
  }
}
