import net from 'node:net';

/**
 * How a cut connection behaves:
 * - `reset` (the default): what a stopped or crashed server looks like. Every open connection is reset (RST),
 *   and every new one is accepted and reset at once, so clients fail within milliseconds
 *   (ECONNRESET, "Connection terminated unexpectedly"). The outcome is the same whatever timeouts the client
 *   sets, so a test that uses it is deterministic.
 * - `blackhole`: what a network partition looks like. Open connections stop carrying bytes but stay open, and
 *   new ones are accepted but carry nothing, so a client notices only through its own timeouts (connect,
 *   query, keepalive). Use it to test those timeouts; a client without any waits forever.
 */
export type CutMode = 'reset' | 'blackhole';

export interface TcpProxyStats {
  /** Connections forwarded to the target, in total. */
  forwarded: number;
  /** Open connections severed by cut(). */
  severed: number;
  /** Connections that arrived while cut (reset or held). */
  refused: number;
}

export interface TcpProxy {
  readonly port: number;
  /** `postgres://user@host:5432/db` with its host and port replaced by the proxy's. */
  url(targetUrl: string): string;
  /** Makes the target unreachable through this proxy until restore(); returns how many open connections it severed. */
  cut(mode?: CutMode): number;
  /** Forwards new connections again (held blackholed ones are closed: their clients reconnect). */
  restore(): void;
  isCut(): boolean;
  stats(): TcpProxyStats;
  stop(): Promise<void>;
}

/**
 * A TCP forwarding proxy on 127.0.0.1 and a free port, in front of one server: point one app at it to make the
 * server unreachable for that app alone (cut/restore) while every other client keeps its direct connection.
 * It stays listening while cut, so the port cannot be taken by another process in the meantime.
 */
export async function startTcpProxy({ targetHost, targetPort }: { targetHost: string; targetPort: number }): Promise<TcpProxy> {
  type Pair = { client: net.Socket; upstream: net.Socket; detached: boolean };
  const pairs = new Set<Pair>();
  const held = new Set<net.Socket>();
  const stats: TcpProxyStats = { forwarded: 0, severed: 0, refused: 0 };
  let cutMode: CutMode | null = null;

  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    if (cutMode === 'reset') {
      stats.refused++;
      client.resetAndDestroy();
      return;
    }
    if (cutMode === 'blackhole') {
      stats.refused++;
      hold(client);
      return;
    }
    stats.forwarded++;
    const upstream = net.connect({ host: targetHost, port: targetPort });
    const pair: Pair = { client, upstream, detached: false };
    pairs.add(pair);
    upstream.on('error', () => undefined);
    // One side closing closes the other, as a direct connection would; unless cut() has taken the pair apart.
    const forget = () => {
      pairs.delete(pair);
      if (pair.detached) return;
      client.destroy();
      upstream.destroy();
    };
    client.once('close', forget);
    upstream.once('close', forget);
    client.pipe(upstream);
    upstream.pipe(client);
  });

  function hold(socket: net.Socket): void {
    socket.pause();
    held.add(socket);
    socket.once('close', () => held.delete(socket));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as net.AddressInfo;

  return {
    port,
    url: (targetUrl) => {
      const url = new URL(targetUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    cut: (mode = 'reset') => {
      cutMode = mode;
      const open = [...pairs];
      for (const pair of open) {
        pairs.delete(pair);
        pair.detached = true;
        if (mode === 'reset') {
          pair.client.resetAndDestroy();
          pair.upstream.resetAndDestroy();
        } else {
          // Nothing flows either way, and the client's side stays open: a partition, not a closed port.
          pair.client.unpipe();
          pair.upstream.unpipe();
          pair.upstream.destroy();
          hold(pair.client);
        }
      }
      stats.severed += open.length;
      return open.length;
    },
    restore: () => {
      cutMode = null;
      for (const socket of held) socket.resetAndDestroy();
      held.clear();
    },
    isCut: () => cutMode !== null,
    stats: () => ({ ...stats }),
    stop: async () => {
      cutMode = 'reset';
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
