import type Redis from 'ioredis';
import { QueueName, VisionKeys } from '@nomosly/contracts';
import { inspectVisionRedisSettings } from '@nomosly/observability';
import { type AuditLine, cannotCheck, examples, fail, pass } from './audit-line';

/** P1: the vision Redis's own settings (persistence, slow log), read with the check the apps run at start-up. */
export async function checkVisionRedisSettings(redis: Redis, operatorChecked: boolean): Promise<AuditLine[]> {
  const settings = await inspectVisionRedisSettings(redis);
  if (!settings.checked) {
    return [
      operatorChecked
        ? pass('P1', `vision Redis keeps nothing on disk: checked by the operator (VISION_REDIS_PERSISTENCE_CHECKED=1); it refuses CONFIG (${settings.reason})`)
        : cannotCheck('P1', `vision Redis persistence and slow log: it refuses CONFIG (${settings.reason}); check them by hand, then set VISION_REDIS_PERSISTENCE_CHECKED=1`),
    ];
  }
  if (settings.problems.length === 0) return [pass('P1', 'vision Redis keeps nothing on disk (save "", appendonly no, slow log off)')];
  return settings.problems.map((problem) => fail('P1', `vision Redis: ${problem}`));
}

/** A returned value BullMQ stores when a processor returns nothing is `null` (or nothing at all). */
const isReturnedValue = (value: string | null | undefined) => value !== null && value !== undefined && !['', 'null', 'undefined'].includes(value);

/**
 * P1 and P5 on the vision Redis as it is now: no image key and no vision job that outlives the deadline a call
 * waits, and no returned value (results, face geometry) in any job hash or in the queue's events stream.
 */
export async function checkVisionRedisContents(redis: Redis, prefix: string, deadlineMs: number): Promise<AuditLine[]> {
  const [seconds, micros] = (await redis.time()) as [number | string, number | string];
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  const imagePattern = VisionKeys.image(prefix, '*', 0).replace(/:\*:0$/, ':*');
  const queueKey = `${prefix}:${QueueName.Vision}`;

  const staleImages: string[] = [];
  let images = 0;
  for (const key of await scanKeys(redis, imagePattern)) {
    images++;
    const [ttl, idleSeconds] = await Promise.all([redis.pttl(key), redis.object('IDLETIME', key) as Promise<number | null>]);
    if (ttl === -1) staleImages.push(`${key} (no expiry)`);
    else if (ttl > deadlineMs) staleImages.push(`${key} (expires in ${ttl} ms)`);
    else if (idleSeconds !== null && idleSeconds * 1000 > deadlineMs) staleImages.push(`${key} (stored ${idleSeconds} s ago)`);
  }

  const oldJobs: string[] = [];
  const jobsWithValues: string[] = [];
  let jobs = 0;
  for (const key of await scanKeys(redis, `${queueKey}:*`)) {
    const id = key.slice(queueKey.length + 1);
    if (id.includes(':') || id === 'meta' || (await redis.type(key)) !== 'hash') continue;
    const [timestamp, returnvalue] = await redis.hmget(key, 'timestamp', 'returnvalue');
    if (timestamp === null) continue;
    jobs++;
    const ageMs = now - Number(timestamp);
    if (ageMs > deadlineMs) oldJobs.push(`${id} (${Math.round(ageMs / 1000)} s old)`);
    if (isReturnedValue(returnvalue)) jobsWithValues.push(id);
  }

  const eventsWithValues: string[] = [];
  const events = await redis.xrange(`${queueKey}:events`, '-', '+');
  for (const [entryId, fields] of events) {
    for (let i = 0; i < fields.length; i += 2) {
      if (fields[i] === 'returnvalue' && isReturnedValue(fields[i + 1])) eventsWithValues.push(entryId);
    }
  }

  const deadline = `the ${deadlineMs} ms deadline`;
  return [
    staleImages.length
      ? fail('P1', `image keys outlive ${deadline}: ${examples(staleImages)}`)
      : pass('P1', `no image key outlives ${deadline} (${images} in flight now)`),
    oldJobs.length
      ? fail('P1', `vision jobs older than ${deadline}: ${examples(oldJobs)}`)
      : pass('P1', `no vision job older than ${deadline} (${jobs} in flight now)`),
    jobsWithValues.length
      ? fail('P5', `vision job hashes hold a returned value (results kept in Redis): ${examples(jobsWithValues)}`)
      : pass('P5', 'no vision job hash holds a returned value'),
    eventsWithValues.length
      ? fail('P5', `the vision queue's events stream holds returned values: entries ${examples(eventsWithValues)}`)
      : pass('P5', `the vision queue's events stream holds no returned value (${events.length} entr${events.length === 1 ? 'y' : 'ies'} read)`),
  ];
}

async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}
