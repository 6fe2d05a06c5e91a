// A TCP relay to a server on loopback that can be told to stop answering: bytes are swallowed and
// new connections accepted but never relayed, as a host that vanished, a firewall dropping packets
// or a stuck server looks to a client whose TCP connection stays up (review of issue 26, finding 7).
import type { Socket, TCPSocketListener } from "bun";
import { freePort } from "../../testbed/ports.ts";

export interface BlackholeRelay {
  /** The relay's port: put it in the client's URL instead of the server's. */
  readonly port: number;
  /** From now on nothing passes either way. */
  swallow(): void;
  /** Closes every connection (what was swallowed broke them) and relays again. */
  restore(): void;
  stop(): void;
}

interface Pair {
  upstream?: Socket<undefined>;
  pending: Uint8Array[];
}

export async function blackholeRelay(target: number): Promise<BlackholeRelay> {
  const port = await freePort();
  let swallowing = false;
  const clients = new Set<Socket<Pair>>();
  const listener: TCPSocketListener<Pair> = Bun.listen<Pair>({
    hostname: "127.0.0.1",
    port,
    socket: {
      async open(client) {
        client.data = { pending: [] };
        clients.add(client);
        if (swallowing) return;
        client.data.upstream = await Bun.connect({
          hostname: "127.0.0.1",
          port: target,
          socket: {
            data: (_, bytes) => void (swallowing || client.write(bytes)),
            close: () => void client.end(),
            error: () => void client.end(),
          },
        });
        for (const bytes of client.data.pending.splice(0)) client.data.upstream.write(bytes);
      },
      data(client, bytes) {
        if (swallowing) return;
        if (client.data.upstream) client.data.upstream.write(bytes);
        else client.data.pending.push(new Uint8Array(bytes));
      },
      close(client) {
        clients.delete(client);
        client.data.upstream?.end();
      },
    },
  });
  const closeAll = () => {
    for (const client of clients) {
      client.data.upstream?.end();
      client.end();
    }
  };
  return {
    port,
    swallow: () => void (swallowing = true),
    restore() {
      closeAll();
      swallowing = false;
    },
    stop() {
      closeAll();
      listener.stop(true);
    },
  };
}
