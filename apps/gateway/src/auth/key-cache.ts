interface Entry<V> {
  value: V;
  expiresAt: number;
  group?: string;
}

/**
 * A bounded in-process cache with a time to live, least recently used first out. Holds resolved keys
 * (and misses, briefly) so that Postgres is touched only on a cache miss. Entries may belong to a group
 * (a workspace), so that a change to the group drops its entries without a scan of the whole cache.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly groups = new Map<string, Set<string>>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.delete(key);
      return undefined;
    }
    // Re-insert to mark as most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, ttlMs: number, group?: string): void {
    this.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs, group });
    if (group !== undefined) {
      let members = this.groups.get(group);
      if (!members) this.groups.set(group, (members = new Set()));
      members.add(key);
    }
    while (this.entries.size > this.maxEntries) this.delete(this.entries.keys().next().value as string);
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    if (entry.group === undefined) return;
    const members = this.groups.get(entry.group);
    members?.delete(key);
    if (members?.size === 0) this.groups.delete(entry.group);
  }

  /** Drops every entry of a group. */
  deleteGroup(group: string): void {
    for (const key of [...(this.groups.get(group) ?? [])]) this.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.groups.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
