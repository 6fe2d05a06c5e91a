// The set-up most integration files share, written once: a real XMPP server, a gateway on it and
// logged-in users, started before a describe's tests and stopped after them. It exists so that the
// teardown is right in one place: whatever started is stopped, in reverse order, even when a later
// start failed, and no error of a stop hides the one that made the set-up fail.
//
//   for (const server of testServers()) describe(server.name, () => {
//     const bed = useTestBed(server, { gateway: { routes: ROUTES }, clients: ["bob"] });
//     test("bob receives what alice POSTs", async () => {
//       await bed.gw.post(...);
//       await bed.bob.nextStanza(...);
//
// bun:test runs hooks in the order they are registered: a file's own beforeAll placed after
// useTestBed runs once the bed is up (joining rooms), its own afterAll placed after it runs once the
// bed is stopped (what must outlive the gateway, such as a webhook it calls). The hooks take the
// run's --timeout (60 s in `make integration`): ejabberd alone may take 45 s to start on a busy machine.
import { afterAll, beforeAll } from "bun:test";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { connectClient, type ConnectClientOptions, type TestClient } from "../../testbed/xmpp-client.ts";
import { startGateway, type GatewayOptions, type TestGateway } from "./gateway.ts";
import type { ServerOptions, TestServerKind } from "./servers.ts";

export interface TestBedOptions<C extends string> {
  /** How the server starts (extra MUC services, modules, users). */
  server?: ServerOptions;
  /**
   * The gateway, started once the server is up; a function when its routes name the server's
   * ports or domains, or anything else a beforeAll starts (a webhook's URL). Leave it out when the
   * tests start their own: assigned to `bed.gw`, it is stopped with the rest.
   */
  gateway?: GatewayOptions | ((server: XmppServer) => GatewayOptions | Promise<GatewayOptions>);
  /** Users who log in once the gateway is up, in this order; each is then `bed.<name>`. */
  clients?: readonly C[];
  /** How some of them log in, e.g. `{ bob: { resource: "phone" } }`. */
  clientOptions?: { readonly [K in NoInfer<C>]?: ConnectClientOptions };
}

/**
 * What beforeAll started: read it in tests and hooks (reading a part that is not running throws).
 * A test that replaces the gateway or a client assigns the new one, and that one is stopped at the end.
 */
export type TestBed<C extends string> = { readonly server: XmppServer; gw: TestGateway } & { [K in C]: TestClient };

interface Stoppable {
  stop(): Promise<void>;
}

/** Registers the beforeAll that starts the bed and the afterAll that stops it; returns the bed. */
export function useTestBed<const C extends string = never>(kind: TestServerKind, options: TestBedOptions<C> = {}): TestBed<C> {
  const clients = options.clients ?? [];
  // The start order; stopped in reverse. A part a test starts later (a new gateway) keeps its place.
  const parts = ["server", "gw", ...clients];
  const clash = clients.find((name) => name === "server" || name === "gw");
  if (clash !== undefined) throw new Error(`useTestBed: a client cannot be named "${clash}"`);
  const running = new Map<string, Stoppable>();
  const bed = {};
  for (const part of parts) {
    Object.defineProperty(bed, part, {
      get: () => running.get(part) ?? notRunning(part),
      set: (value: Stoppable) => void running.set(part, value),
      enumerable: true,
    });
  }

  beforeAll(async () => {
    const server = await kind.start(options.server);
    running.set("server", server);
    const gateway = typeof options.gateway === "function" ? await options.gateway(server) : options.gateway;
    if (gateway) running.set("gw", await startGateway(server, gateway));
    for (const name of clients) running.set(name, await connectClient(server, name, options.clientOptions?.[name]));
  });
  afterAll(() => stopInTurn(parts.toReversed().map((part) => running.get(part))));

  // The accessors above give each part its declared type; TypeScript cannot see through defineProperty.
  return bed as TestBed<C>;
}

function notRunning(part: string): never {
  throw new Error(
    `bed.${part} is not running: the bed starts in beforeAll (read it in a test or hook), and a gateway the bed does not start is one a test assigns to bed.gw`,
  );
}

/** Stops each part, the next one even after a failure; then throws what failed, every error kept. */
async function stopInTurn(parts: ReadonlyArray<Stoppable | undefined>): Promise<void> {
  const failures: unknown[] = [];
  for (const part of parts) {
    try {
      await part?.stop();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `${failures.length} parts of the test bed failed to stop`);
}
