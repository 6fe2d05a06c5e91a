/**
 * The real PasswordCheck of `kind: xmpp`: a SASL login (RFC 6120 §6) on the server's client port,
 * and nothing more. The connection is dropped as soon as the server answers <success/> or
 * <failure/>: no stream restart, no resource binding, no session, no presence, so no client ever
 * appears online and the server does no more work than the check needs.
 */
import type { PasswordCheck } from "./check.ts";
import { ScramSha1 } from "./scram.ts";

/** The parts of an @xmpp/client entity used here. */
interface SaslClient {
  saslFactory: { use(name: string, mech: new () => ScramSha1): void };
  reconnect: { stop(): void };
  on(event: "error", listener: (err: Error & { condition?: string }) => void): void;
  on(event: "disconnect", listener: () => void): void;
  connect(service: string): Promise<void>;
  open(options: { domain: string }): Promise<unknown>;
  stop(): Promise<unknown>;
}

type Authenticate = (credentials: { username: string; password: string }, mechanism: string) => Promise<void>;

/** RFC 6120 §6.5: the SASL failures that mean "these credentials are not valid". */
const REFUSED = new Set(["not-authorized", "account-disabled", "credentials-expired", "invalid-authzid"]);
/** RFC 6120 §4.9.3: stream errors that mean "this server does not serve that domain". */
const NO_SUCH_DOMAIN = new Set(["host-unknown", "host-gone", "improper-addressing"]);
/** Registered under its own name so the factory picks it instead of xmpp.js's own SCRAM-SHA-1. */
const NATIVE_SCRAM = "SCRAM-SHA-1+native-pbkdf2";

/** Stops the SASL feature handler before it restarts the stream (which would lead to binding). */
class Answered extends Error {}

export function saslPasswordCheck(service: string): PasswordCheck {
  return async (local, domain, password, signal) => {
    // Loaded on first use: the client library costs memory that gateways without this scheme keep.
    const { client } = await import("@xmpp/client");
    return new Promise<boolean>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", abort);
        fn();
        xmpp.stop().catch(() => {});
      };
      const credentials = async (authenticate: Authenticate, mechanisms: string[], _fast: unknown, entity: { isSecure(): boolean }) => {
        // RFC 6120 §6.4.2 / RFC 4616 §4: PLAIN sends the password itself, so only over TLS.
        const mechanism = mechanisms.includes("SCRAM-SHA-1")
          ? NATIVE_SCRAM
          : entity.isSecure() && mechanisms.includes("PLAIN")
            ? "PLAIN"
            : undefined;
        if (!mechanism) throw new Error(`no usable SASL mechanism offered (${mechanisms.join(", ")})`);
        try {
          await authenticate({ username: local, password }, mechanism);
          settle(() => resolve(true));
        } catch (err) {
          const condition = (err as { condition?: string }).condition;
          if (!condition || !REFUSED.has(condition)) throw err;
          settle(() => resolve(false));
        }
        throw new Answered();
      };
      const xmpp = client({ service, domain, credentials }) as unknown as SaslClient;
      xmpp.reconnect.stop();
      xmpp.saslFactory.use(NATIVE_SCRAM, ScramSha1);
      const abort = () => settle(() => reject(new Error("SASL check aborted")));
      if (signal?.aborted) return abort();
      signal?.addEventListener("abort", abort);
      xmpp.on("disconnect", () => settle(() => reject(new Error("the server closed the connection before answering"))));
      xmpp.on("error", (err) => {
        if (err instanceof Answered) return;
        if (err.condition && NO_SUCH_DOMAIN.has(err.condition)) settle(() => resolve(false));
        else settle(() => reject(err));
      });
      xmpp
        .connect(service)
        .then(() => xmpp.open({ domain }))
        .catch((err: Error) => settle(() => reject(err)));
    });
  };
}
