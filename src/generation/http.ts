/** A generation's HTTP side: the app over what its features and routes registered, behind the front door and the request log. */
import { createHttpApp, type createRegistry, type HttpApp } from "../http/app.ts";
import { observeRequests } from "../http/request-log.ts";
import { clientAddresses } from "../http/client-address.ts";
import { enter, type Door } from "../http/front-door.ts";
import { routeMatcher } from "../http/route-labels.ts";
import type { GatewayRequest } from "../http/request-context.ts";

import type { GenerationDeps } from "./deps.ts";
import type { Started } from "./running.ts";
export interface HttpSide {
  /** Lets a request from `peer` in and answers it: the features' endpoints first, then the app. */
  handle(request: Request, peer: string): Promise<Response>;
  readonly inFlight: number;
}

/** The HTTP app over what the features and routes registered, behind the front door and the request log. */
export function httpSide(deps: GenerationDeps, registry: ReturnType<typeof createRegistry>, runtimes: readonly Started[]): HttpSide {
  const { config, log } = deps;
  const app = createHttpApp({
    routes: registry.all,
    cors: config.http.cors,
    maxBodyBytes: config.http.max_body_bytes,
    log: log.child({ part: "http" }),
    unknowns: registry.unknowns,
  });
  const endpoints = runtimes.flatMap(({ runtime }) => runtime.endpoints ?? []);
  // Probes (health, scrapes) are logged at debug when they succeed (request-log.ts).
  const probes = [...registry.all.filter((r) => r.probe).map((r) => r.path), ...endpoints.filter((e) => e.probe).map((e) => e.path)];
  const door: Door = {
    maxBodyBytes: config.http.max_body_bytes,
    clientAddress: clientAddresses(config.http),
    routeOf: routeMatcher([...endpoints.map(({ path }) => ({ method: "GET", path })), ...registry.all]),
  };
  let inFlight = 0;
  // Its own path only: an endpoint's answer is awaited for no other request, and a routed request
  // goes to the app without an async frame of its own (a promise job less per request).
  const endpointAt = (path: string) => endpoints.find((endpoint) => endpoint.path === path);
  const serve = observeRequests(
    (request) => (endpointAt(request.context.path) ? viaEndpoints(endpoints, app, request) : app.handle(request)),
    {
      log: log.child({ part: "http" }),
      metrics: deps.metrics,
      probes: new Set(probes),
      flight: (delta) => {
        inFlight += delta;
      },
    },
  );
  return {
    handle: (request, peer) => serve(enter(request, peer, door)),
    get inFlight() {
      return inFlight;
    },
  };
}

type HttpSideEndpoints = NonNullable<Started["runtime"]["endpoints"]>;

/** The endpoints at the request's path in turn; the app answers when none does. */
async function viaEndpoints(endpoints: HttpSideEndpoints, app: HttpApp, request: GatewayRequest): Promise<Response> {
  for (const endpoint of endpoints) {
    if (endpoint.path !== request.context.path) continue;
    const answer = await endpoint.handle(request);
    if (answer) return answer;
  }
  return app.handle(request);
}
