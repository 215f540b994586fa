/**
 * A first-in first-out async lock. The tfjs wasm backend runs on one thread and `human` keeps per-call
 * state, so model work is serialised through one of these; tesseract gets its own.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    // The next task waits for this one whatever its outcome.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
