import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import { DependencyWatch, errorCode, isConnectionError } from './dependency-watch';
import { DependencyWatches } from './dependency-watches';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' });

/** Polls `condition` (every 10 ms, up to 5 s): timers run late on a loaded machine. */
async function eventually(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5_000) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function recorder() {
  const lines: { level: string; fields: Record<string, unknown> }[] = [];
  return {
    lines,
    log: {
      warn: (fields: Record<string, unknown>) => lines.push({ level: 'warn', fields }),
      log: (fields: Record<string, unknown>) => lines.push({ level: 'info', fields }),
      error: (fields: Record<string, unknown>) => lines.push({ level: 'error', fields }),
    },
  };
}

describe('DependencyWatch', () => {
  it('logs one line when an outage starts, at most one reminder per period with the failed attempts, one when it ends', () => {
    let now = 0;
    const { lines, log } = recorder();
    const watch = new DependencyWatch({ dependency: 'events-redis', address: '127.0.0.1:6390', log, reminderMs: 60_000, now: () => now });
    for (let second = 0; second < 150; second++) {
      now = second * 1000;
      // Six failed reconnects a second, as ioredis makes at first.
      for (let attempt = 0; attempt < 6; attempt++) watch.failed('client', refused());
    }
    now = 151_000;
    watch.recovered('client');
    expect(lines.map((line) => line.fields.event)).toEqual(['dependency_down', 'dependency_still_down', 'dependency_still_down', 'dependency_up']);
    expect(lines[0].fields).toMatchObject({ dependency: 'events-redis', address: '127.0.0.1:6390', code: 'ECONNREFUSED' });
    expect(lines[1].fields).toMatchObject({ failedAttempts: 361, downForMs: 60_000 });
    expect(lines[2].fields).toMatchObject({ failedAttempts: 721, downForMs: 120_000 });
    expect(lines[3]).toMatchObject({ level: 'info', fields: { downForMs: 151_000, failedAttempts: 900 } });
    expect(JSON.stringify(lines)).not.toMatch(/stack|at Socket/);
  });

  it('stays down until every client that failed is back, and counts each outage once', async () => {
    const registry = new Registry();
    const { lines, log } = recorder();
    const watches = new DependencyWatches({ registry, log, reminderMs: 60_000 });
    const watch = watches.watch('vision-redis', '127.0.0.1:6391');
    watch.failed('commands', refused());
    watch.failed('subscriber', refused());
    watch.recovered('commands');
    expect(watch.down).toBe(true);
    expect(watch.problem).toMatch(/^vision-redis unreachable at 127\.0\.0\.1:6391 \(ECONNREFUSED\) for \d+ s$/);
    watch.recovered('subscriber');
    expect(watch.down).toBe(false);
    watch.failed('commands', refused());
    watch.recovered('commands');
    expect(lines.map((line) => line.fields.event)).toEqual(['dependency_down', 'dependency_up', 'dependency_down', 'dependency_up']);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/^dependency_outages_total\{dependency="vision-redis"\} 2$/m);
    expect(metrics).toMatch(/^dependency_up\{dependency="vision-redis"\} 1$/m);
  });

  it('watches a client and its duplicates by their events; a readiness check fails naming the outage; P2: an error is named, never quoted', async () => {
    const { lines, log } = recorder();
    const watches = new DependencyWatches({ registry: new Registry(), log, reminderMs: 60_000 });
    class FakeRedis extends EventEmitter {
      status = 'ready';
      options = { host: '127.0.0.1', port: 6392, connectionName: 'fake' };
      disconnect = jest.fn(() => void (this.status = 'end'));
      ping = jest.fn(async () => 'PONG');
      duplicate = () => new FakeRedis();
    }
    const client = watches.redis('events-redis', new FakeRedis());
    const blocking = client.duplicate();
    const check = watches.readiness('events-redis', async () => undefined);
    await expect(check.check()).resolves.toBeUndefined();
    blocking.emit('error', refused());
    await expect(check.check()).rejects.toThrow(/^events-redis unreachable at 127\.0\.0\.1:6392 \(ECONNREFUSED\)/);
    blocking.emit('ready');
    await expect(check.check()).resolves.toBeUndefined();
    // Not a lost connection: one line, throttled like the reminders, naming the error but not quoting it (P2).
    client.emit('error', Object.assign(new Error('NOAUTH Authentication required. image-marker-0451'), { name: 'ReplyError' }));
    client.emit('error', Object.assign(new Error('NOAUTH Authentication required. image-marker-0451'), { name: 'ReplyError' }));
    expect(lines.map((line) => line.fields.event)).toEqual(['dependency_down', 'dependency_up', 'dependency_error']);
    expect(JSON.stringify(lines.at(-1))).toContain('NOAUTH');
    expect(JSON.stringify(lines)).not.toContain('image-marker-0451');
    // Stopping: a client that is not connected is dropped, not asked to QUIT.
    blocking.status = 'connecting';
    watches.beginShutdown();
    expect(blocking.disconnect).toHaveBeenCalled();
    expect(client.disconnect).not.toHaveBeenCalled();
  });

  it('stopping: a client that looks connected but does not answer a PING within shutdownPingMs is dropped; one that answers is left to close', async () => {
    const { log } = recorder();
    const watches = new DependencyWatches({ registry: new Registry(), log, reminderMs: 60_000, shutdownPingMs: 20 });
    class FakeRedis extends EventEmitter {
      status = 'ready';
      options = { host: '127.0.0.1', port: 6393 };
      disconnect = jest.fn(() => void (this.status = 'end'));
      constructor(readonly ping: () => Promise<unknown>) {
        super();
      }
    }
    const partitioned = watches.redis('events-redis', new FakeRedis(jest.fn(() => new Promise(() => undefined))));
    const answering = watches.redis('events-redis', new FakeRedis(jest.fn(async () => 'PONG')));
    watches.beginShutdown();
    expect(partitioned.disconnect).not.toHaveBeenCalled();
    await eventually(() => partitioned.disconnect.mock.calls.length > 0);
    await eventually(() => (answering.ping as jest.Mock).mock.calls.length > 2);
    expect(answering.disconnect).not.toHaveBeenCalled();
    // Closed by its owner: the pings stop.
    answering.status = 'end';
  });

  it('a probe that gets no answer is a failed attempt with ETIMEDOUT, one at a time; one that answers ends the outage', async () => {
    const { lines, log } = recorder();
    const watches = new DependencyWatches({ registry: new Registry(), log, reminderMs: 60_000 });
    const hung: (() => void)[] = [];
    let partitioned = true;
    const check = jest.fn(() => (partitioned ? new Promise<void>((resolve) => hung.push(resolve)) : Promise.resolve()));
    watches.probe('postgres', 'postgres://u:secret@127.0.0.1:5999/db', check, { intervalMs: 20, timeoutMs: 30 });
    await eventually(() => lines.length > 0);
    expect(lines[0].fields).toMatchObject({ event: 'dependency_down', dependency: 'postgres', address: '127.0.0.1:5999', code: 'ETIMEDOUT' });
    // One probe hangs; the others are counted as failed without starting a query each.
    expect(check).toHaveBeenCalledTimes(1);
    partitioned = false;
    hung.forEach((resolve) => resolve());
    await eventually(() => lines.at(-1)?.fields.event === 'dependency_up');
    expect(lines.at(-1)?.fields).toMatchObject({ event: 'dependency_up', dependency: 'postgres' });
    expect(JSON.stringify(lines)).not.toContain('secret');
    watches.beginShutdown();
  });

  it('names errors by code, never by message, and tells lost connections from other errors', () => {
    expect(errorCode(refused())).toBe('ECONNREFUSED');
    expect(errorCode(new Error('Connection is closed.'))).toBe('ECONNCLOSED');
    expect(errorCode(Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' }))).toBe('MaxRetriesPerRequestError');
    expect(isConnectionError(refused())).toBe(true);
    expect(isConnectionError(new Error('Connection is closed.'))).toBe(true);
    expect(isConnectionError(new Error('Missing lock for job 1. moveToFinished'))).toBe(false);
  });
});
