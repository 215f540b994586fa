import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Redis, { Cluster, type ClusterOptions } from 'ioredis';
import { freePort } from './app-process';
import { startRedisServer, type RedisServer } from './redis-server';
import { until } from './until';

const run = promisify(execFile);

export interface RedisCluster {
  /** The masters, each holding a share of the 16384 slots. */
  readonly servers: RedisServer[];
  /** A cluster client (ioredis `Cluster`) that follows the slots; the caller quits it. */
  client(options?: ClusterOptions): Cluster;
  /** Stops every node and removes their directories. */
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  /** Masters (no replicas): 3, the fewest `redis-cli --cluster create` accepts. */
  nodes?: number;
  /**
   * Node i listens on basePort + i and talks to the others (the cluster bus) on basePort + 50 + i: a range of the
   * caller's. By default each takes free ports.
   */
  basePort?: number;
}

/**
 * A Redis Cluster of a test's own on loopback: `redis-server --cluster-enabled yes` per node, each keeping nothing,
 * joined by `redis-cli --cluster create` (REDIS_CLI_BIN, else `redis-cli` on PATH), ready once every node says
 * `cluster_state:ok`.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const count = options.nodes ?? 3;
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    for (let i = 0; i < count; i++) {
      const port = options.basePort === undefined ? undefined : options.basePort + i;
      const busPort = options.basePort === undefined ? await freePort() : options.basePort + 50 + i;
      servers.push(
        await startRedisServer({
          port,
          args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort), '--cluster-node-timeout', '5000'],
        }),
      );
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    await run(process.env.REDIS_CLI_BIN ?? 'redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], {
      timeout: 60_000,
    });
    await Promise.all(servers.map((server) => untilClusterOk(server.url)));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    servers,
    client: (clientOptions = {}) => new Cluster(servers.map((server) => ({ host: '127.0.0.1', port: server.port })), clientOptions),
    stop,
  };
}

async function untilClusterOk(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await until(async () => /^cluster_state:ok\r?$/m.test(String(await redis.cluster('INFO'))), {
      what: `${url} saying cluster_state:ok`,
      timeoutMs: 30_000,
      intervalMs: 100,
    });
  } finally {
    redis.disconnect();
  }
}
