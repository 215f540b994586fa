import type { Cluster } from 'ioredis';
import { Queue, Worker } from 'bullmq';
import { EVENT_JOB_OPTIONS, EventName, QueueName, VisionKeys, eventJobId } from '@nomosly/contracts';
import { LimitsStore, inFlightKeyOf, limitsStoreOptions, withWorkspaceDefaults, type Ticket } from '@nomosly/limits';
import { type RedisCluster, startRedisCluster, uniquePrefix, usageEvent } from '@nomosly/testing';

/** A range of ports for the cluster's nodes (node i: base + i, its bus base + 50 + i); by default free ports. */
const BASE_PORT = process.env.TEST_REDIS_CLUSTER_BASE_PORT ? Number(process.env.TEST_REDIS_CLUSTER_BASE_PORT) : undefined;
/** Fixed workspace ids: their slots, and so the nodes they land on, are the same every run. */
const WORKSPACES = Array.from({ length: 12 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const LEASE_MS = 60_000;

/**
 * The keys the gateway writes to the events and the vision Redis, on a real Redis Cluster (three masters on
 * loopback, started here; docs/scaling.md): every Lua script call (the limits' admit, refund and units scripts,
 * BullMQ's own) touches one slot, which Redis Cluster requires, and the workspaces' counters spread over the nodes.
 */
describe('limit and queue keys on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let client: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster({ basePort: BASE_PORT });
    client = cluster.client({ redisOptions: { maxRetriesPerRequest: null } });
  }, 120_000);
  afterAll(async () => {
    await client?.quit();
    await cluster?.stop();
  });

  /** Every key under `pattern` on every master, with the master that holds it. */
  async function keysByNode(pattern: string): Promise<Array<{ key: string; node: string }>> {
    const found = await Promise.all(
      client.nodes('master').map(async (node) => (await node.keys(pattern)).map((key) => ({ key, node: `${node.options.host}:${node.options.port}` }))),
    );
    return found.flat();
  }

  it('P10: the admit script runs on the cluster, one slot per workspace: exact admissions under concurrency, units, refunds and releases', async () => {
    // A hash-tagged QUEUE_PREFIX, as a cluster deployment sets it: the limit keys drop its braces for the workspace's tag.
    const options = limitsStoreOptions(`{${uniquePrefix('cluster')}}`);
    expect(options.workspaceTags).toBe(true);
    const { prefix } = options;
    const now = Math.floor(Date.now() / 1000);
    const store = new LimitsStore(client, { ...options, fixedClock: () => now });
    const plan = withWorkspaceDefaults({ rateLimitPerSecond: 7, monthlyUnitQuota: 1_000_000, centsPerThousandUnits: 0 });
    const admit = (workspaceId: string) =>
      store.admit({ keyId: `key-of-${workspaceId}`, workspaceId, dailyLimit: 100, plan, monthlySpendCapCents: null, units: 1, leaseMs: LEASE_MS });

    const tickets = new Map<string, Ticket[]>();
    await Promise.all(
      WORKSPACES.map(async (workspaceId) => {
        const admissions = await Promise.all(Array.from({ length: 20 }, () => admit(workspaceId)));
        const refusals = admissions.filter((admission) => admission.refusedBy !== null);
        expect(refusals.every((admission) => admission.refusedBy === 'rate')).toBe(true);
        tickets.set(workspaceId, admissions.flatMap((admission) => (admission.ticket ? [admission.ticket] : [])));
      }),
    );
    for (const workspaceId of WORKSPACES) {
      expect(tickets.get(workspaceId)).toHaveLength(7);
      expect(await store.unitsThisMonth(workspaceId)).toBe(7);
    }

    // Each workspace's counters (key rate, daily, units, workspace rate, calls in flight) sit together on one node,
    // in one slot, and the workspaces spread over the masters.
    const keys = await keysByNode(`${prefix}:*`);
    const nodesOfWorkspaces = new Set<string>();
    for (const workspaceId of WORKSPACES) {
      const own = keys.filter(({ key }) => key.includes(`{ws:${workspaceId}}`));
      expect(own.map(({ key }) => key.slice(prefix.length + 1).split(':')[0]).sort()).toEqual(['daily', 'in-flight', 'rate', 'units', 'workspace-rate']);
      const slots = await Promise.all(own.map(({ key }) => client.cluster('KEYSLOT', key)));
      expect(new Set(slots).size).toBe(1);
      expect(new Set(own.map(({ node }) => node)).size).toBe(1);
      nodesOfWorkspaces.add(own[0].node);
    }
    expect(nodesOfWorkspaces.size).toBe(cluster.servers.length);

    // A refund gives the units back and a release the slot in flight, on whichever node holds the workspace.
    const [first] = WORKSPACES;
    const [ticket] = tickets.get(first) ?? [];
    await store.refund(ticket);
    await store.release(ticket);
    expect(await store.unitsThisMonth(first)).toBe(6);
    expect(await client.zcard(inFlightKeyOf(prefix, first, true))).toBe(6);

    await Promise.all(keys.map(({ key }) => client.del(key)));
  });

  it('P1: with a hash-tagged prefix, the vision queue, its jobs and their images share one slot: the worker reads each image once and a discard deletes a job\'s images in one DEL', async () => {
    const prefix = `{${uniquePrefix('cluster-vision')}}`;
    const queue = new Queue(QueueName.Vision, { connection: client, prefix });
    const read: Array<Buffer | null> = [];
    const done = new Promise<void>((resolve) => {
      const worker = new Worker(
        QueueName.Vision,
        async (job) => {
          for (const image of job.data.images as Array<{ key: string }>) read.push(await client.getdelBuffer(image.key));
        },
        { connection: client, prefix },
      );
      worker.on('completed', () => void worker.close().then(resolve));
    });
    try {
      const images = [VisionKeys.image(prefix, 'job-1', 0), VisionKeys.image(prefix, 'job-1', 1)];
      const [queueSlot, ...imageSlots] = await Promise.all([`${prefix}:${QueueName.Vision}:wait`, ...images].map((key) => client.cluster('KEYSLOT', key)));
      expect(imageSlots).toEqual([queueSlot, queueSlot]);

      await Promise.all([
        ...images.map((key, index) => client.set(key, Buffer.from(`image ${index}`), 'PX', 30_000)),
        queue.add('faces.compare', { images: images.map((key) => ({ key })) }, { jobId: 'job-1', removeOnComplete: true, removeOnFail: true }),
      ]);
      await done;
      expect(read.map((bytes) => bytes?.toString())).toEqual(['image 0', 'image 1']);
      expect(await client.exists(...images)).toBe(0);

      // The gateway's discard of a job nobody waits for: both images in one DEL (one slot), the job removed.
      const abandoned = [VisionKeys.image(prefix, 'job-2', 0), VisionKeys.image(prefix, 'job-2', 1)];
      await Promise.all(abandoned.map((key) => client.set(key, 'x', 'PX', 30_000)));
      expect(await client.del(...abandoned)).toBe(2);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('P4: with a hash-tagged prefix, a usage event added twice under its job id is stored once on the events queue', async () => {
    const prefix = `{${uniquePrefix('cluster-events')}}`;
    const queue = new Queue(QueueName.Events, { connection: client, prefix });
    try {
      const event = usageEvent();
      const jobId = eventJobId(EventName.Usage, event.eventId);
      await queue.add(EventName.Usage, event, { ...EVENT_JOB_OPTIONS, jobId });
      await queue.add(EventName.Usage, event, { ...EVENT_JOB_OPTIONS, jobId });
      expect((await queue.getJobCounts('waiting')).waiting).toBe(1);
      expect((await queue.getJob(jobId))?.data).toEqual(event);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
