// Real XMPP users for tests: @xmpp/client 0.14 logged into the test Prosody over
// plain TCP (0.13 fails SCRAM against Prosody 0.12; 0.14 works).
import { client } from "@xmpp/client";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import type { Entity } from "@xmpp/client";
import type { XmppServer } from "./xmpp-server.ts";
import { DEFAULT_STANZA_TIMEOUT_MS, StanzaInbox, type StanzaEndpoint } from "./stanza-inbox.ts";
import { inboxMethods, startBounded, stopBounded, wireEntity, type InboxMethods } from "./entity.ts";
import { NS_MUC, NS_MUC_OWNER, hasMucStatus, isMucJoinOutcome } from "./predicates.ts";
import { recordTranscript } from "./transcript.ts";

export * from "./predicates.ts";
export type { StanzaEndpoint, StanzaPredicate } from "./stanza-inbox.ts";

export interface ConnectClientOptions {
  resource?: string;
  /** Defaults to the password Prosody registered for `username`. */
  password?: string;
  /** Send initial presence (default true): without it the server does not route messages to this resource. */
  presence?: boolean;
  /** Let xmpp.js reconnect after a disconnect, e.g. across prosody.restart() (default false). */
  reconnect?: boolean;
}

export interface TestClient extends InboxMethods, StanzaEndpoint {
  /** Full JID bound by the server. */
  readonly jid: string;
  readonly bare: string;
  /** The raw @xmpp/client entity, for anything the helpers do not cover. */
  readonly xmpp: Entity;
  /** Send unavailable presence and close the stream; bounded, never throws. */
  stop(): Promise<void>;
}

/** What connectClient reads of a server: its client port, host and known passwords. */
export type ClientServer = Pick<XmppServer, "c2sPort" | "host" | "users">;

/** How long xmpp.js waits for each stream open or close (its default is 2 s). */
const STREAM_TIMEOUT_MS = 8_000;

export async function connectClient(prosody: ClientServer, username: string, opts: ConnectClientOptions = {}): Promise<TestClient> {
  const password = opts.password ?? prosody.users[username];
  if (password === undefined) throw new Error(`connectClient: no password known for ${username}@${prosody.host}`);
  const xmpp = client({
    service: `xmpp://127.0.0.1:${prosody.c2sPort}`,
    domain: prosody.host,
    username,
    password,
    // xmpp.js waits 2 s for each stream open; a server on a loaded 2-core machine can take longer.
    timeout: STREAM_TIMEOUT_MS,
    ...(opts.resource === undefined ? {} : { resource: opts.resource }),
  });
  if (opts.reconnect !== true) xmpp.reconnect.stop();
  const inbox = new StanzaInbox(`client ${username}@${prosody.host}`);
  wireEntity(xmpp, inbox);
  recordTranscript(xmpp, `${username}@${prosody.host}`);
  await startBounded(xmpp, `${username}@${prosody.host}`);
  const testClient = makeTestClient(xmpp, inbox);
  if (opts.presence !== false) await announcePresence(testClient, prosody.host);
  return testClient;
}

function makeTestClient(xmpp: Entity, inbox: StanzaInbox): TestClient {
  const jid = xmpp.jid?.toString() ?? "";
  return {
    ...inboxMethods(xmpp, inbox),
    jid,
    bare: jid.split("/")[0] ?? jid,
    xmpp,
    async stop() {
      inbox.close("client stopped");
      await sendUnavailable(xmpp);
      await stopBounded(xmpp);
    },
  };
}

/**
 * Initial presence, then a ping round trip: the server handles one stream in
 * order, so once the pong is back it has marked us available and a message sent
 * by another user right after connectClient() returns reaches this resource.
 */
async function announcePresence(testClient: TestClient, host: string): Promise<void> {
  await testClient.send(xml("presence"));
  await testClient.iq(xml("iq", { type: "get", to: host }, xml("ping", { xmlns: "urn:xmpp:ping" })));
}

async function sendUnavailable(xmpp: Entity): Promise<void> {
  if (xmpp.status !== "online") return;
  await xmpp.send(xml("presence", { type: "unavailable" })).catch(() => undefined);
}

// ---------------------------------------------------------------------------
// MUC (XEP-0045)

export interface JoinRoomOptions {
  password?: string;
  /** Unlock a room this join just created (status 201) with an instant-room form; default true. */
  instant?: boolean;
  /** muc#roomconfig fields submitted instead when this join created the room (§10.1.3). */
  config?: Record<string, string>;
  /** Ask for no history so the join is not followed by old messages; default true. */
  noHistory?: boolean;
  timeoutMs?: number;
}

/**
 * Join `roomJid` as `nick` (XEP-0045 §7.2) and resolve with our own presence
 * (status 110). Prosody keeps new rooms locked until configured (§10.1.2), so by
 * default a room created by this join is unlocked at once, as clients do.
 */
export async function joinRoom(
  endpoint: StanzaEndpoint,
  roomJid: string,
  nick: string,
  passwordOrOptions?: string | JoinRoomOptions,
): Promise<Element> {
  const opts = typeof passwordOrOptions === "string" ? { password: passwordOrOptions } : (passwordOrOptions ?? {});
  await endpoint.send(mucJoinPresence(roomJid, nick, opts));
  const self = await endpoint.nextStanza(isMucJoinOutcome(roomJid), opts.timeoutMs ?? DEFAULT_STANZA_TIMEOUT_MS);
  if (self.attrs.type === "error") throw new Error(`joinRoom ${roomJid}/${nick} refused: ${self.toString()}`);
  if (opts.instant !== false && hasMucStatus("201")(self)) {
    await (opts.config ? configureRoom(endpoint, roomJid, opts.config) : unlockInstantRoom(endpoint, roomJid));
  }
  return self;
}

function mucJoinPresence(roomJid: string, nick: string, opts: JoinRoomOptions): Element {
  const x = xml("x", { xmlns: NS_MUC });
  if (opts.noHistory !== false) x.c("history", { maxstanzas: "0" });
  if (opts.password !== undefined) x.c("password").t(opts.password);
  return xml("presence", { to: `${roomJid}/${nick}` }, x);
}

/** XEP-0045 §10.1.2: submit an empty form to accept the default configuration. */
async function unlockInstantRoom(endpoint: StanzaEndpoint, roomJid: string): Promise<void> {
  const form = xml("x", { xmlns: "jabber:x:data", type: "submit" });
  await endpoint.iq(xml("iq", { type: "set", to: roomJid }, xml("query", { xmlns: NS_MUC_OWNER }, form)));
}

/** XEP-0045 §10.2: the owner submits the room configuration form (which also unlocks a new room). */
export async function configureRoom(owner: StanzaEndpoint, roomJid: string, fields: Record<string, string>): Promise<void> {
  const form = xml("x", { xmlns: "jabber:x:data", type: "submit" }, formField("FORM_TYPE", "http://jabber.org/protocol/muc#roomconfig"));
  for (const [name, value] of Object.entries(fields)) form.cnode(formField(name, value));
  await owner.iq(xml("iq", { type: "set", to: roomJid }, xml("query", { xmlns: NS_MUC_OWNER }, form)));
}

function formField(name: string, value: string): Element {
  return xml("field", { var: name }, xml("value", {}, value));
}
