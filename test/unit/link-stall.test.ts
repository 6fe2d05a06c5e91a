// A stream that stalls (no handshake answer, no stream header in time) must not wedge the link:
// the half-open socket is closed and the link connects again.
import { expect, test } from "bun:test";
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { XmppLink } from "../../src/xmpp/link.ts";
import { silentLogger } from "../../src/log.ts";
import { FakeEntity } from "../helpers/fake-entity.ts";
import { waitFor } from "../../testbed/timeouts.ts";

/** The first `stalls` handshakes time out (as xmpp.js reports it), later ones succeed. */
class StallingEntity extends FakeEntity {
  handshakes = 0;
  disconnects = 0;

  constructor(private stalls: number) {
    super();
  }

  override async open(): Promise<Element> {
    const header = xml("stream:stream", { id: `s${this.handshakes}` });
    queueMicrotask(() => this.emit("open", header));
    return header;
  }

  override async authenticate(): Promise<void> {
    this.handshakes++;
    if (this.stalls-- > 0) throw Object.assign(new Error(""), { name: "TimeoutError" });
    queueMicrotask(() => this.emit("online"));
  }

  override async disconnect(): Promise<void> {
    this.disconnects++;
    await super.disconnect();
  }
}

async function until(condition: () => boolean): Promise<void> {
  await waitFor(condition, 2_000, "the link's state", undefined, 5);
  expect(condition()).toBe(true);
}

test("a handshake that times out closes the half-open socket and the link connects again", async () => {
  const entity = new StallingEntity(2);
  const link = new XmppLink({
    server: "xmpp://127.0.0.1:1",
    component: "gw.example.com",
    secret: "s",
    maxStanzaBytes: 500_000,
    host: "example.com",
    reconnect: { initial_ms: 1, max_ms: 2 },
    iqTimeoutMs: 1_000,
    log: silentLogger,
    createEntity: () => entity,
  });
  link.start();
  await until(() => link.status === "online");
  expect(entity.handshakes).toBe(3);
  expect(entity.disconnects).toBe(2);
  await link.stop();
});
