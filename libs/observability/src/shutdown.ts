export interface ShutdownLog {
  log(fields: Record<string, unknown>): void;
  error(fields: Record<string, unknown>): void;
}

export interface StopOnSignalsOptions {
  /** Closes everything the process holds; resolves when it has, throws when something could not be closed. */
  stop: () => Promise<void>;
  /** The deadline: past it, the process exits with code 1 whatever is still closing. */
  timeoutMs: number;
  log: ShutdownLog;
  signals?: readonly NodeJS.Signals[];
  /** process.exit by default; a test passes its own. */
  exit?: (code: number) => void;
  /** Where the signals come from: the process by default; a test passes an emitter of its own. */
  signalSource?: { on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown; off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown };
}

/**
 * On the first SIGTERM or SIGINT: runs `stop` and exits 0 when it has finished, 1 when it failed or when
 * `timeoutMs` passed first (work still in hand, say a job whose Redis is gone, is then left to other processes:
 * BullMQ hands a job whose lock is not renewed to another worker as stalled). A second signal changes nothing.
 * Returns a function that removes the listeners.
 */
export function stopOnSignals(options: StopOnSignalsOptions): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const startedAt = Date.now();
    options.log.log({ event: 'shutdown_started', signal, timeoutMs: options.timeoutMs, msg: `${signal}: stopping within ${options.timeoutMs} ms` });
    const deadline = setTimeout(() => {
      options.log.error({
        event: 'shutdown_timed_out',
        timeoutMs: options.timeoutMs,
        msg: `shutdown did not finish within ${options.timeoutMs} ms: exiting with 1, unfinished work is left to other processes`,
      });
      exit(1);
    }, options.timeoutMs);
    deadline.unref();
    options
      .stop()
      .then(
        () => {
          options.log.log({ event: 'shutdown_finished', durationMs: Date.now() - startedAt, msg: `stopped in ${Date.now() - startedAt} ms` });
          return 0;
        },
        (error: unknown) => {
          const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
          options.log.error({ event: 'shutdown_failed', durationMs: Date.now() - startedAt, msg: `shutdown failed: ${message}` });
          return 1;
        },
      )
      .then((code) => {
        clearTimeout(deadline);
        exit(code);
      });
  };
  const source = options.signalSource ?? process;
  for (const signal of signals) source.on(signal, onSignal);
  return () => {
    for (const signal of signals) source.off(signal, onSignal);
  };
}

/** For a process without a structured logger (the stand-ins): one plain line per event, errors on stderr. */
export function consoleShutdownLog(name: string): ShutdownLog {
  return {
    log: (fields) => console.log(`${name}: ${String(fields.msg)}`),
    error: (fields) => console.error(`${name}: ${String(fields.msg)}`),
  };
}
