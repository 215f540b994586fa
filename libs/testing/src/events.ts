import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { EVENT_JOB_OPTIONS, EventName, Operation, QueueName, eventJobId, type RequestEvent, type UsageEvent } from '@nomosly/contracts';
import { TEST_REDIS_URL } from './services';

/** A queue on a test Redis (the shared one by default) that owns its connection: closing the queue closes it. */
export function testQueue(name: string, prefix: string, redisUrl = TEST_REDIS_URL): Queue {
  const url = new URL(redisUrl);
  return new Queue(name, { connection: { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null }, prefix });
}

/** The events queue as the gateway and the usage app see it: same name and prefix. */
export function eventsQueue(prefix: string, redisUrl = TEST_REDIS_URL): Queue {
  return testQueue(QueueName.Events, prefix, redisUrl);
}

export function usageEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    eventId: `req_${randomUUID()}`,
    workspaceId: randomUUID(),
    userId: randomUUID(),
    keyId: randomUUID(),
    operation: Operation.FacesDetect,
    units: 1,
    status: 200,
    latencyMs: 42,
    at: new Date().toISOString(),
    ...overrides,
  };
}

export function requestEvent(overrides: Partial<RequestEvent> = {}): RequestEvent {
  return {
    requestId: `req_${randomUUID()}`,
    workspaceId: randomUUID(),
    at: new Date().toISOString(),
    ip: '203.0.113.7',
    method: 'POST',
    path: '/v1/labels/detect',
    status: 429,
    latencyMs: 3,
    keyPrefix: 'nk_live_abcd',
    ...overrides,
  };
}

export async function addUsage(queue: Queue, event: UsageEvent, jobId = eventJobId(EventName.Usage, event.eventId)): Promise<void> {
  await queue.add(EventName.Usage, event, { ...EVENT_JOB_OPTIONS, jobId });
}

export async function addRequest(queue: Queue, event: RequestEvent): Promise<void> {
  await queue.add(EventName.Request, event, { ...EVENT_JOB_OPTIONS, jobId: eventJobId(EventName.Request, event.requestId) });
}

/** True once no job is waiting, running, paused or waiting for a retry. */
export async function queueDrained(queue: Queue): Promise<boolean> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused');
  return Object.values(counts).every((count) => count === 0);
}
