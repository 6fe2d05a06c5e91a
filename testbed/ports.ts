// Free TCP ports for the test bed, found by binding them, so test files never collide on a
// hard-coded number. A port is released before the server that gets it binds it; in that
// moment another process could take it. Under `bun test --parallel`, where that other process is
// a neighbouring worker starting its own servers, each worker therefore takes its ports from a
// block of its own below the kernel's ephemeral range (32768 and up, where `bind(:0)` and
// outgoing connections draw from); alone (one test process, the benchmark, the demo), the kernel
// picks (bind to :0).
import { createServer } from "node:net";

const LOOPBACK = "127.0.0.1";
/** Worker n (1-8) takes ports BLOCKS_START + (n - 1) * BLOCK_SIZE onwards, in turn. */
const BLOCKS_START = 20_000;
const BLOCK_SIZE = 1_500;
const MAX_WORKERS = 8;

/** Ask for an unused port on 127.0.0.1, then release it for the caller. */
export async function freePort(): Promise<number> {
  const probe = await listenOnFree();
  await probe.close();
  return probe.port;
}

/**
 * Several distinct free ports. Every probe socket stays open until all ports are
 * known, so the same port cannot be handed out twice within one call.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Probe[] = [];
  for (let i = 0; i < count; i++) servers.push(await listenOnFree());
  const ports = servers.map(({ port }) => port);
  await Promise.all(servers.map(({ close }) => close()));
  return ports;
}

interface Probe {
  port: number;
  close(): Promise<void>;
}

const worker = Number(process.env.BUN_TEST_WORKER_ID ?? 0);
// From a random place in the block: a run just before may have left its ports in TIME_WAIT.
let cursor = Math.floor(Math.random() * BLOCK_SIZE);

/** The next port of this worker's block that binds; the kernel's pick outside `--parallel`. */
async function listenOnFree(): Promise<Probe> {
  if (!Number.isInteger(worker) || worker < 1 || worker > MAX_WORKERS) return listenOn(0);
  const start = BLOCKS_START + (worker - 1) * BLOCK_SIZE;
  for (let tries = 0; tries < BLOCK_SIZE; tries++) {
    const port = start + (cursor++ % BLOCK_SIZE);
    const probe = await listenOn(port).catch(() => undefined);
    if (probe) return probe;
  }
  throw new Error(`freePorts: no free port in ${start}-${start + BLOCK_SIZE - 1} (test worker ${worker})`);
}

function listenOn(port: number): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => {
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
