/**
 * Which server software the component is connected to, learned at each connect: XEP-0092
 * (Software Version) of the user domain, or when the server does not answer that, the name of
 * its disco#info identity of category "server" (XEP-0030 §3.1). Prosody and ejabberd give both.
 * It is shown in /health and the log, and lets a plugin use what one server is known to accept
 * (roster_admin: several roster items per set on Prosody only).
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import type { Logger } from "../log.ts";
import type { ServerSoftware } from "../plugin-api/server-software.ts";

const NS_VERSION = "jabber:iq:version";
const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";

export class ServerIdentity {
  private known: ServerSoftware | undefined;
  /** Bumped at each connect and loss: an answer to an older connection's question is dropped. */
  private epoch = 0;

  constructor(
    private readonly request: (iq: Element) => Promise<Element>,
    private readonly addresses: () => { from: string; to: string },
    private readonly log: Logger,
  ) {}

  get(): ServerSoftware | undefined {
    return this.known;
  }

  /** Asks the server; never throws (a server that tells nothing stays unknown). */
  async learn(): Promise<void> {
    const epoch = ++this.epoch;
    const { from, to } = this.addresses();
    const ask = (query: string) => this.request(xml("iq", { type: "get", from, to }, xml("query", { xmlns: query })));
    const [version, info] = await Promise.allSettled([ask(NS_VERSION), ask(NS_DISCO_INFO)]);
    if (epoch !== this.epoch) return;
    this.known = readVersion(version) ?? readIdentity(info);
    this.log.info(
      "XMPP server software",
      this.known ? { ...this.known } : { name: "unknown (no XEP-0092 answer, no disco#info server identity)" },
    );
  }

  forget(): void {
    this.epoch++;
    this.known = undefined;
  }
}

function readVersion(answer: PromiseSettledResult<Element>): ServerSoftware | undefined {
  if (answer.status !== "fulfilled") return undefined;
  const query = answer.value.getChild("query", NS_VERSION);
  const name = query?.getChildText("name")?.trim();
  if (!name) return undefined;
  const version = query?.getChildText("version")?.trim();
  return version ? { name, version } : { name };
}

function readIdentity(answer: PromiseSettledResult<Element>): ServerSoftware | undefined {
  if (answer.status !== "fulfilled") return undefined;
  const identity = answer.value
    .getChild("query", NS_DISCO_INFO)
    ?.getChildren("identity")
    .find((i) => i.attrs.category === "server" && i.attrs.name);
  return identity ? { name: String(identity.attrs.name) } : undefined;
}
