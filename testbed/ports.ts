// Free TCP ports for the test bed. The kernel picks the port (bind to :0), so
// parallel test files never collide on a hard-coded number.
import { createServer } from "node:net";

const LOOPBACK = "127.0.0.1";

/** Ask the kernel for an unused port on 127.0.0.1, then release it for the caller. */
export async function freePort(): Promise<number> {
  const probe = await listenOnEphemeral();
  await probe.close();
  return probe.port;
}

/**
 * Several distinct free ports. Every probe socket stays open until all ports are
 * known, so the kernel cannot hand out the same port twice within one call.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => listenOnEphemeral()));
  const ports = servers.map(({ port }) => port);
  await Promise.all(servers.map(({ close }) => close()));
  return ports;
}

interface Probe {
  port: number;
  close(): Promise<void>;
}

function listenOnEphemeral(): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host: LOOPBACK, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (typeof address !== "object" || address === null) {
        server.close();
        reject(new Error("freePorts: no port assigned"));
        return;
      }
      resolve({ port: address.port, close: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}
