// Typed stand-ins for what the host gives a plugin, for tests that call a plugin's parts directly.
// Each is a whole XmppPort / PluginContext: when the plugin API gains a member, these stop compiling.
import { silentLogger } from "../../src/log.ts";
import { noMetrics, type PluginContext, type PluginStore, type XmppPort } from "../../src/plugin-api/index.ts";
import { fakeFetch } from "./fake-fetch.ts";

const unused = (what: string) => () => {
  throw new Error(`${what} is not part of this test's fake`);
};

/** Rooms for fakes whose plugin never enters one. */
export const unusedRooms: XmppPort["rooms"] = {
  occupant: () => {},
  enter: async () => unused("XmppPort.rooms.enter")(),
  isJoined: () => false,
};

/** An XmppPort for component gw.example, host example; `parts` replaces what the test drives. */
export function fakeXmppPort(parts: Partial<XmppPort> = {}): XmppPort {
  return {
    component: "gw.example",
    host: "example",
    isOnline: () => true,
    privileges: () => ({ roster: "none", message: "none", presence: "none" }),
    serverSoftware: () => undefined,
    send: async () => unused("XmppPort.send")(),
    request: async () => unused("XmppPort.request")(),
    deliver: async () => unused("XmppPort.deliver")(),
    onStanza: () => {},
    observe: () => {},
    on: () => {},
    rooms: unusedRooms,
    ...parts,
  };
}

/** A fresh plugin store in memory, as a plugin sees it (JSON in, JSON out): the store's own tests are test/unit/store/. */
export function memoryPluginStore(): PluginStore {
  const values = new Map<string, string>();
  return {
    keyed<V>(name: string) {
      const at = (key: string) => `${name}\n${key}`;
      return {
        get: (key: string) => {
          const json = values.get(at(key));
          return json === undefined ? undefined : (JSON.parse(json) as V);
        },
        set: (key: string, value: V) => void values.set(at(key), JSON.stringify(value)),
        delete: (key: string) => void values.delete(at(key)),
      };
    },
  };
}

/** A PluginContext on a fresh in-memory store, mounted at /test; `parts` replaces what the test drives. */
export function fakePluginContext<Options>(options: Options, parts: Partial<PluginContext<Options>> = {}): PluginContext<Options> {
  return {
    options,
    route: { path: "/test", auth: undefined, at: "routes[0]" },
    xmpp: fakeXmppPort(),
    http: { add: () => {} },
    store: memoryPluginStore(),
    log: silentLogger,
    fetch: fakeFetch(unused("fetch")),
    metrics: noMetrics,
    ...parts,
  };
}
