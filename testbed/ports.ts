// Free TCP ports for the test bed, found by binding them, so test files never collide on a
// hard-coded number. A port is released before the server that gets it binds it; in that
// moment another process could take it, and with test files in worker processes side by side
// (bun test --parallel) the kernel's pick (bind to :0, drawn from the ephemeral range that every
// other bind(:0) and outgoing connection draws from too) was taken so (a Prosody's component
// port, in a fresh-clone run). So each process takes its ports from a block of its own below
// the ephemeral range, claimed with a file named by the block (its pid inside; a dead owner's
// block is taken over); when every block is held, the kernel picks.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const LOOPBACK = "127.0.0.1";
/** Blocks of ports 20000-31999, under the kernel's ephemeral range (32768-60999 by default). */
const FIRST_PORT = 20_000;
const BLOCK_SIZE = 500;
const BLOCKS = 24;
const BLOCKS_DIR = join(tmpdir(), "stanzagate-port-blocks");

/** Ask for an unused port on 127.0.0.1, then release it for the caller. */
export async function freePort(): Promise<number> {
  const probe = await listenOnFree();
  await probe.close();
  return probe.port;
}

/**
 * Several distinct free ports. Every probe socket stays open until all ports are
 * known, so the kernel cannot hand out the same port twice within one call.
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

// Where in its block this process looks next; from a random place, as a run just before may
// have left its ports in TIME_WAIT.
let cursor = Math.floor(Math.random() * BLOCK_SIZE);

/** The next port of this process's block that binds; the kernel's pick when it has none. */
async function listenOnFree(): Promise<Probe> {
  const block = ownBlock();
  if (block === undefined) return listenOn(0);
  const start = FIRST_PORT + block * BLOCK_SIZE;
  for (let tries = 0; tries < BLOCK_SIZE; tries++) {
    const probe = await listenOn(start + (cursor++ % BLOCK_SIZE)).catch(() => undefined);
    if (probe) return probe;
  }
  return listenOn(0);
}

let mine: number | undefined;

/** This process's block: the one whose file names its pid, else the first free or dead one it claims. */
function ownBlock(): number | undefined {
  mine ??= claimBlock();
  return mine;
}

function claimBlock(): number | undefined {
  // A temp dir the test bed cannot write to leaves the pick to the kernel, as before blocks.
  try {
    mkdirSync(BLOCKS_DIR, { recursive: true });
  } catch {
    return undefined;
  }
  for (let n = 0; n < BLOCKS; n++) {
    const file = join(BLOCKS_DIR, String(n));
    if (claim(file)) return n;
    const owner = ownerOf(file);
    if (owner === process.pid) return n;
    if (owner !== undefined && !alive(owner)) {
      rmSync(file, { force: true });
      if (claim(file)) return n;
    }
  }
  return undefined;
}

function claim(file: string): boolean {
  try {
    writeFileSync(file, String(process.pid), { flag: "wx" });
    return true;
  } catch {
    return false;
  }
}

function ownerOf(file: string): number | undefined {
  try {
    return Number(readFileSync(file, "utf8")) || undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
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
