/**
 * The XEP-0114 link to the server: connects, authenticates by handshake, reconnects with capped
 * exponential backoff forever, and never exits the process on a lost link.
 *
 * Built on @xmpp/component-core (the core of @xmpp/component) rather than the `component()`
 * factory: the factory adds an iq callee that answers every iq nobody registered with
 * service-unavailable, while here plugins decide (component_http forwards iqs to a webhook).
 */
import type { Element } from "ltx";
import type { Logger } from "../log.ts";
import { createBackoff } from "../kit/backoff.ts";
import type { Privileges } from "../plugin-api/privileges.ts";
import { Grants } from "./privilege.ts";
import type { ServerSoftware } from "../plugin-api/server-software.ts";
import { ServerIdentity } from "./server-software.ts";
import { IqCaller } from "./iq-caller.ts";
import { createWriteQueue, type WriteQueue } from "./write-queue.ts";
import { guardStanza } from "./stanza-guard.ts";
import { componentFactory, type ComponentEntity, type LinkTls } from "./tls-component.ts";

export type LinkState = "connecting" | "online" | "offline" | "stopped";

/** `settled`: this connection's XEP-0356 grants are known (see `settled`). */
type LinkEventName = "online" | "offline" | "privileges" | "settled";

/** How long after the handshake a server that grants privileges has to advertise them. */
const ADVERTISEMENT_GRACE_MS = 2_000;

export interface LinkOptions {
  /** xmpp://host:port, or xmpps://host:port for direct TLS (tls-component.ts). */
  server: string;
  /** How an xmpps:// link verifies the server (xmpp.tls). */
  tls?: LinkTls;
  component: string;
  secret: string;
  /** The user domain whose privilege advertisement matters. */
  host: string;
  /** The server's other hosts allowed to advertise privileges (xmpp.hosts; privilege.ts mayAdvertise). */
  hosts?: readonly string[];
  reconnect: { initial_ms: number; max_ms: number };
  iqTimeoutMs: number;
  /** Default ADVERTISEMENT_GRACE_MS; tests without a server that advertises set it low. */
  privilegeGraceMs?: number;
  /** Larger stanzas are refused before the stream (see stanza-guard.ts). */
  maxStanzaBytes: number;
  log: Logger;
  /** Tests pass a fake entity; production uses @xmpp/component-core. */
  createEntity?: (options: { service: string; domain: string }) => ComponentEntity;
  /** Sees the kind (element name) of every stanza written and received: metrics. */
  onTraffic?: (direction: "sent" | "received", kind: string) => void;
}

type Listener = () => void;

export class XmppLink {
  private state: LinkState = "offline";
  private readonly grants: Grants;
  private readonly software: ServerIdentity;
  private privilegesSettled = false;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  /** XEP-0356 namespaces of an unknown version already logged (once each, not at every connect). */
  private timer: ReturnType<typeof setTimeout> | undefined;
  private entity: ComponentEntity;
  private backoff;
  private iq: IqCaller;
  private writes: WriteQueue;
  private readonly stanzaListeners: Array<(el: Element) => void> = [];
  private readonly listeners = new Map<string, Listener[]>();
  /** When the link last came up, for /health. */
  onlineSince: Date | undefined;
  lastError: string | undefined;

  constructor(private options: LinkOptions) {
    this.grants = new Grants(
      () => ({ host: this.options.host, ...(this.options.hosts ? { hosts: this.options.hosts } : {}) }),
      options.log,
    );
    this.software = new ServerIdentity(
      (iq) => this.request(iq),
      () => ({ from: this.options.component, to: this.options.host }),
      options.log,
    );
    const create = options.createEntity ?? componentFactory(options.tls);
    this.entity = create({ service: options.server, domain: options.component });
    this.backoff = createBackoff(options.reconnect.initial_ms, options.reconnect.max_ms);
    this.iq = new IqCaller((el) => this.send(el), options.iqTimeoutMs);
    this.writes = createWriteQueue((chunk) => this.entity.write(chunk));
    this.wire(this.entity);
  }

  /**
   * A reload changed xmpp.*: closes the stream and connects again with the new settings. Listeners
   * stay; iqs in flight fail as on any lost link, and the outbox resends what was not confirmed.
   */
  async reconfigure(options: LinkOptions): Promise<void> {
    const old = this.entity;
    const wasStopped = this.state === "stopped";
    this.state = "stopped";
    clearTimeout(this.timer);
    this.timer = undefined;
    this.iq.cancelAll("XMPP link reconfigured");
    if (this.onlineSince) this.emit("offline");
    this.onlineSince = undefined;
    try {
      await this.writes.drain().catch(() => undefined);
      await closeStream(old);
    } catch (err) {
      this.options.log.debug("closing the XMPP stream failed", { err });
    }
    this.options = { ...options, createEntity: this.options.createEntity, onTraffic: this.options.onTraffic };
    const create = this.options.createEntity ?? componentFactory(this.options.tls);
    this.entity = create({ service: options.server, domain: options.component });
    this.backoff = createBackoff(options.reconnect.initial_ms, options.reconnect.max_ms);
    this.iq = new IqCaller((el) => this.send(el), options.iqTimeoutMs);
    this.writes = createWriteQueue((chunk) => this.entity.write(chunk));
    this.wire(this.entity);
    this.state = wasStopped ? "stopped" : "offline";
    this.start();
  }

  /** The user domain served (xmpp.host), which a reload may change. */
  get host(): string {
    return this.options.host;
  }

  get status(): LinkState {
    return this.state;
  }

  /** What `host` (default xmpp.host) granted at this connection. */
  privileges(host?: string): Privileges {
    return this.grants.of(host);
  }

  /** The server software, once this connection learned it (xmpp/server-software.ts). */
  serverSoftware(): ServerSoftware | undefined {
    return this.software.get();
  }

  /** Every host that advertised grants at this connection, xmpp.host first when it did. */
  privilegesByHost(): Record<string, Privileges> {
    return this.grants.all();
  }

  /** Starts connecting in the background; failures are logged and retried, never thrown. */
  start(): void {
    if (this.state === "stopped") return;
    void this.attempt();
  }

  async stop(): Promise<void> {
    this.state = "stopped";
    clearTimeout(this.timer);
    this.iq.cancelAll("link stopped");
    try {
      // What was written last (the bots' leave presences) goes before the closing tag.
      await this.writes.drain().catch(() => undefined);
      await closeStream(this.entity);
    } catch (err) {
      this.options.log.debug("closing the XMPP stream failed", { err });
    }
  }

  async send(el: Element): Promise<void> {
    // XEP-0114 §3: every stanza from a component carries a `from` (xmpp.js's send did this).
    el.attrs.from ??= this.options.component;
    // Before the online check: a stanza the server would refuse is the caller's 4xx, never a LINK_DOWN.
    await this.sendRaw(guardStanza(el, this.options.maxStanzaBytes));
  }

  /** Writes a serialized stanza (from the outbox) as-is. */
  async sendRaw(xml: string): Promise<void> {
    if (this.state !== "online") throw new Error("XMPP link is not online");
    await this.writes.write(xml);
    this.options.onTraffic?.("sent", xml.slice(1, xml.search(/[\s/>]/)));
  }

  /** Runs `hook` just before the next socket write; what it sends rides in that write (barrier.ts). */
  beforeWrite(hook: () => void): void {
    this.writes.beforeFlush(hook);
  }

  request(iq: Element, timeoutMs?: number): Promise<Element> {
    return this.iq.request(iq, timeoutMs);
  }

  onStanza(listener: (el: Element) => void): void {
    this.stanzaListeners.push(listener);
  }

  on(event: LinkEventName, listener: Listener): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }

  private emit(event: LinkEventName): void {
    for (const l of this.listeners.get(event) ?? []) l();
  }

  /** Events of an entity replaced by `reconfigure` are ignored. */
  private wire(entity: ComponentEntity): void {
    const current = () => entity === this.entity;
    entity.on("open", (header) => void (current() && this.handshake(header)));
    entity.on("online", () => current() && this.becameOnline());
    entity.on("disconnect", () => current() && this.lost("disconnected"));
    entity.on("error", (err) => {
      if (!current()) return;
      // RFC 6120 §4.9.3: a stream error's condition says why the server closed the stream.
      this.lastError = err.condition ? `stream error: ${err.condition}` : err.message;
      this.options.log.warn("XMPP link error", { err: err.message });
    });
    entity.on("stanza", (el) => current() && this.received(el));
  }

  private async attempt(): Promise<void> {
    if (this.state === "stopped") return;
    this.state = "connecting";
    // Reset here, not when online: the server sends the XEP-0356 advertisement right after the
    // handshake, and it can be read before xmpp.js emits "online".
    this.grants.reset();
    this.privilegesSettled = false;
    clearTimeout(this.settleTimer);
    try {
      await this.entity.connect(this.options.server);
      await this.entity.open({ domain: this.options.component });
    } catch (err) {
      this.lastError = (err as Error).message || (err as Error).name;
      this.options.log.warn("cannot reach the XMPP server", { server: this.options.server, err: this.lastError });
      this.abandon("connect failed");
    }
  }

  /**
   * Gives up on this connection attempt. A stream that stalled (no stream header or handshake
   * answer in time) still has its socket open: close it, and let its close event schedule the
   * next attempt; without a socket, schedule it now. Never left half-open: that would wedge the
   * link with nothing left to trigger a reconnect.
   */
  private abandon(why: string): void {
    this.entity.disconnect().catch(() => this.lost(why));
  }

  /** XEP-0114 §3: the handshake is SHA-1(stream id + secret), sent after the stream header. */
  private async handshake(header: Element): Promise<void> {
    try {
      await this.entity.authenticate(header.attrs.id ?? "", this.options.secret);
    } catch (err) {
      this.lastError = `handshake failed: ${(err as Error).message || (err as Error).name}`;
      this.options.log.error("the XMPP server refused the component handshake (check xmpp.secret and xmpp.component)", {
        component: this.options.component,
        err: this.lastError,
      });
      this.abandon("handshake failed");
    }
  }

  private becameOnline(): void {
    this.state = "online";
    this.onlineSince = new Date();
    this.lastError = undefined;
    this.backoff.reset();
    this.options.log.info("component online", { component: this.options.component });
    if (!this.privilegesSettled)
      this.settleTimer = setTimeout(() => this.settle(), this.options.privilegeGraceMs ?? ADVERTISEMENT_GRACE_MS);
    this.emit("online");
    void this.software.learn();
  }

  /**
   * Whether this connection's XEP-0356 grants are known: the advertisement came, or the grace
   * after the handshake passed without one. ejabberd grants a component its privileges a moment
   * after the handshake (asynchronously) and drops privileged stanzas it gets before: the outbox
   * waits for this before draining (the "settled" event).
   */
  get settled(): boolean {
    return this.state === "online" && this.privilegesSettled;
  }

  private settle(): void {
    clearTimeout(this.settleTimer);
    if (this.privilegesSettled) return;
    this.privilegesSettled = true;
    if (this.state === "online") this.emit("settled");
  }

  private lost(why: string): void {
    if (this.state === "stopped") return;
    const wasOnline = this.state === "online";
    this.state = "offline";
    this.onlineSince = undefined;
    clearTimeout(this.settleTimer);
    this.iq.cancelAll("XMPP link lost");
    this.software.forget();
    if (wasOnline) {
      this.options.log.warn("component offline", { why });
      this.emit("offline");
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.state === "stopped") return;
    const delay = this.backoff.next();
    this.options.log.debug("reconnecting", { in_ms: delay });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.attempt();
    }, delay);
  }

  private received(el: Element): void {
    this.options.onTraffic?.("received", el.name);
    if (this.iq.settle(el)) return;
    const advertisement = this.grants.read(el);
    // "privileges" and "settled" are about xmpp.host, whose grants plugins check and warn about;
    // another host's grants are read where a user of that host is served (privileges(host)).
    if (advertisement === "default") {
      this.emit("privileges");
      this.settle();
    }
    if (advertisement !== undefined) return;
    for (const l of this.stanzaListeners) l(el);
  }
}

/**
 * RFC 6120 §4.4: send the closing tag, wait for the server's, close the socket; ended by the
 * socket's close as well. xmpp.js waits for the server's closing tag on the stream parser, which
 * a socket closing under it has already detached: a server going away at the same moment (both
 * stopped together, as Ctrl-C in a terminal or a host shutdown does) would otherwise hold the
 * stop for the whole stream timeout (10 s).
 */
async function closeStream(entity: ComponentEntity): Promise<void> {
  const closed = new Promise<void>((resolve) => entity.on("disconnect", () => resolve()));
  await Promise.race([entity.stop(), closed]);
}
