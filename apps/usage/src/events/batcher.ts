interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface BatcherOptions {
  /** A batch is written as soon as it holds this many items... */
  maxSize: number;
  /** ...or this long after its first item arrived. */
  maxWaitMs: number;
}

/**
 * Groups items added one by one into batches and hands each batch to `write`. Each `add` settles with its
 * batch: resolves once the batch is written, rejects with the batch's error. Batches are written one after
 * another, so a slow write lets the next batch grow instead of piling up transactions.
 */
export class Batcher<T> {
  private pending: Waiting<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly options: BatcherOptions,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.options.maxSize) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.options.maxWaitMs);
    });
  }

  /** Writes what is pending now, without waiting; resolves when every batch so far is written (or failed). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length) {
      const batch = this.pending.splice(0, this.options.maxSize);
      this.writing = this.writing.then(() =>
        this.write(batch.map((waiting) => waiting.item)).then(
          () => batch.forEach((waiting) => waiting.resolve()),
          (error: unknown) => batch.forEach((waiting) => waiting.reject(error)),
        ),
      );
    }
    return this.writing;
  }
}
