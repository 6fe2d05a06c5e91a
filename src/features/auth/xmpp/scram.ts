/**
 * SCRAM-SHA-1 (RFC 5802), client side, for the saslmechanisms factory that xmpp.js uses. Same
 * exchange as @xmpp/sasl-scram-sha-1, but Hi() is the native PBKDF2 (RFC 5802 §2.2: Hi is
 * PBKDF2 with HMAC-SHA-1), computed off the main thread: xmpp.js runs it as one awaited WebCrypto
 * HMAC per iteration, 0.25-0.48 s of CPU per login at Prosody's 10,000 iterations.
 *
 * Strings handed to the factory are "binary" (one char per byte), as @xmpp/sasl base64-encodes
 * them with btoa. The password is not SASLprep'd (RFC 5802 §5.1 Normalize), as in xmpp.js.
 */
import { createHash, createHmac, pbkdf2, randomBytes } from "node:crypto";
import { promisify } from "node:util";

const pbkdf2Async = promisify(pbkdf2);

const binary = (s: string) => Buffer.from(s, "utf8").toString("latin1");
/** RFC 5802 §5.1: "=" and "," in the user name are written =3D and =2C. */
const saslname = (name: string) => name.replace(/=/g, "=3D").replace(/,/g, "=2C");
const hmac = (key: Buffer, text: string) => createHmac("sha1", key).update(text, "latin1").digest();

export class ScramSha1 {
  readonly name = "SCRAM-SHA-1";
  readonly clientFirst = true;
  #nonce: string;
  #clientFirstBare = "";
  #serverFirst = "";
  #stage: "first" | "final" | "done" = "first";

  /** The factory calls it without arguments; tests pass RFC 5802's example nonce. */
  constructor(nonce = randomBytes(18).toString("base64")) {
    this.#nonce = nonce;
  }

  async response(cred: { username: string; password: string }): Promise<string> {
    if (this.#stage === "first") {
      this.#stage = "final";
      this.#clientFirstBare = `n=${binary(saslname(cred.username))},r=${this.#nonce}`;
      return `n,,${this.#clientFirstBare}`;
    }
    this.#stage = "done";
    return this.#clientFinal(cred.password);
  }

  challenge(serverFirst: string): this {
    this.#serverFirst = serverFirst;
    return this;
  }

  /** RFC 5802 §3: ClientProof := ClientKey XOR HMAC(H(ClientKey), AuthMessage). */
  async #clientFinal(password: string): Promise<string> {
    const attrs = new Map(this.#serverFirst.split(",").map((a) => [a.slice(0, 1), a.slice(2)] as const));
    const nonce = attrs.get("r") ?? "";
    const iterations = Number(attrs.get("i"));
    // §5.1: the server's nonce MUST start with ours; anything else is not our exchange.
    if (!nonce.startsWith(this.#nonce) || !Number.isInteger(iterations) || iterations < 1)
      throw new Error("SCRAM: malformed server-first-message");
    const salted = await pbkdf2Async(Buffer.from(password, "utf8"), Buffer.from(attrs.get("s") ?? "", "base64"), iterations, 20, "sha1");
    const withoutProof = `c=${Buffer.from("n,,").toString("base64")},r=${nonce}`;
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    const clientKey = hmac(salted, "Client Key");
    const signature = hmac(createHash("sha1").update(clientKey).digest(), authMessage);
    const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] ?? 0)));
    return `${withoutProof},p=${proof.toString("base64")}`;
  }
}
