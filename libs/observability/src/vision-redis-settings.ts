/** What a Redis client must offer for its settings to be read (ioredis's `call`). */
export interface RedisCommander {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/**
 * What the vision Redis's own settings say about P1 ("the Redis that carries images keeps nothing on disk", and
 * nothing that outlives a call): `checked: false` when CONFIG is refused (managed Redis often disables it), with
 * the server's reason; otherwise one sentence per setting that breaks the promise, naming it.
 */
export type VisionRedisSettings = { checked: true; problems: string[] } | { checked: false; reason: string };

export async function inspectVisionRedisSettings(redis: RedisCommander): Promise<VisionRedisSettings> {
  let settings: Map<string, string>;
  try {
    settings = await readSettings(redis, ['save', 'appendonly', 'slowlog-log-slower-than', 'slowlog-max-len']);
  } catch (error) {
    return { checked: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const problems: string[] = [];
  const save = settings.get('save') ?? '';
  if (save.trim() !== '') problems.push(`save is "${save}": it writes RDB snapshots to disk; run it with save ""`);
  const appendonly = settings.get('appendonly') ?? 'no';
  if (appendonly !== 'no') problems.push(`appendonly is "${appendonly}": it writes every command to disk; run it with appendonly no`);
  const slowerThan = Number(settings.get('slowlog-log-slower-than') ?? '-1');
  const slowlogLength = Number(settings.get('slowlog-max-len') ?? '0');
  if (slowerThan >= 0 && slowlogLength > 0) {
    problems.push(
      `slowlog-log-slower-than is ${slowerThan}: the slow log keeps the arguments of slow commands, image bytes included; run it with slowlog-log-slower-than -1`,
    );
  }
  return { checked: true, problems };
}

/** Asks for every setting at once (pipelined on one connection: one round trip, not one per setting). */
async function readSettings(redis: RedisCommander, names: readonly string[]): Promise<Map<string, string>> {
  const replies = await Promise.all(names.map((name) => redis.call('CONFIG', 'GET', name)));
  const settings = new Map<string, string>();
  names.forEach((name, index) => {
    const reply = replies[index] as string[];
    if (!Array.isArray(reply) || reply.length < 2) throw new Error(`CONFIG GET ${name} answered nothing`);
    settings.set(name, String(reply[1]));
  });
  return settings;
}
