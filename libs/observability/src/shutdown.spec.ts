import { EventEmitter } from 'node:events';
import { stopOnSignals } from './shutdown';

const signals = new EventEmitter();
const send = () => signals.emit('SIGTERM', 'SIGTERM');

function harness(stop: () => Promise<void>, timeoutMs: number) {
  const events: string[] = [];
  let exited: (code: number) => void = () => undefined;
  const exit = new Promise<number>((resolve) => (exited = resolve));
  const remove = stopOnSignals({
    stop,
    timeoutMs,
    signalSource: signals,
    exit: (code) => exited(code),
    log: { log: (fields) => events.push(String(fields.event)), error: (fields) => events.push(String(fields.event)) },
  });
  return { events, exit, remove };
}

describe('stopOnSignals', () => {
  it('exits 0 once everything is closed, and a second signal changes nothing', async () => {
    const stop = jest.fn(async () => undefined);
    const { events, exit, remove } = harness(stop, 1_000);
    send();
    await new Promise((resolve) => setTimeout(resolve, 20));
    send();
    expect(await exit).toBe(0);
    expect(stop).toHaveBeenCalledTimes(1);
    expect(events).toEqual(['shutdown_started', 'shutdown_finished']);
    remove();
  });

  it('exits 1 at the deadline when closing hangs', async () => {
    const { events, exit, remove } = harness(() => new Promise(() => undefined), 100);
    const started = Date.now();
    send();
    expect(await exit).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(events).toEqual(['shutdown_started', 'shutdown_timed_out']);
    remove();
  });

  it('exits 1 when closing fails', async () => {
    const { events, exit, remove } = harness(async () => {
      throw new Error('pool would not end');
    }, 1_000);
    send();
    expect(await exit).toBe(1);
    expect(events).toEqual(['shutdown_started', 'shutdown_failed']);
    remove();
  });
});
