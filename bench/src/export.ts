import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { Client } from 'pg';
import { POLAR_NOT_CALLED_ENV, TEST_DATABASE_URL, TEST_REDIS_URL, type RunningApp, signInClaims, startApp, startTestIssuer, until } from '@nomosly/testing';
import { runBench } from './run-bench';

/**
 * `npm run bench:export [-- --records 10000,1000000]`: the console's data export (P8) of one user whose workspace
 * holds N usage records (default 10,000 and 1,000,000). For each N: seed the records (one insert ... select
 * generate_series), start a fresh built console (warmed by one export of the empty account), download
 * GET /api/me/export reading at full speed, and print the
 * time, the zip's bytes and the console's peak RSS (VmHWM, the process's high-water mark, and the highest VmRSS
 * sampled every 50 ms during the download, beside the RSS before it). Then, on the largest N, a client that reads
 * 1 MiB and stops for STALL_SECONDS: the console's RSS over that stall (backpressure: it must not buffer the export).
 * Goal (issue 13): peak RSS under 300 MiB at 1,000,000 records.
 */
const DATABASE_URL = process.env.DATABASE_URL ?? TEST_DATABASE_URL;
const REDIS_URL = process.env.EVENTS_REDIS_URL ?? TEST_REDIS_URL;
const STALL_SECONDS = 10;
const MIB = 1024 * 1024;

function recordCounts(argv: string[]): number[] {
  const at = argv.indexOf('--records');
  const given = at === -1 ? '10000,1000000' : argv[at + 1];
  const counts = (given ?? '').split(',').map(Number);
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--records wants positive integers, comma-separated, not "${given}"`);
  return counts;
}

/** VmRSS and VmHWM of a process, in bytes. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Samples a process's RSS every 50 ms until stopped; returns the highest. */
function sampleRss(pid: number): () => number {
  let highest = memoryOf(pid).rss;
  const timer = setInterval(() => (highest = Math.max(highest, memoryOf(pid).rss)), 50);
  return () => {
    clearInterval(timer);
    return Math.max(highest, memoryOf(pid).rss);
  };
}

/** GET the export; `stallAfterBytes` makes the client stop reading (and hang up after the stall). */
function download(url: string, token: string, onStall?: { afterBytes: number; stall: () => Promise<void> }): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}/api/me/export`, { headers: { authorization: `Bearer ${token}` } }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (onStall && bytes >= onStall.afterBytes && !response.isPaused()) {
          response.pause();
          onStall.stall().then(() => {
            request.destroy();
            resolve({ status: response.statusCode ?? 0, bytes });
          }, reject);
        }
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes }));
      response.on('error', (error) => (onStall ? undefined : reject(error)));
    });
    request.on('error', (error) => (onStall ? undefined : reject(error)));
  });
}

async function main(): Promise<void> {
  const counts = recordCounts(process.argv.slice(2));
  const issuer = await startTestIssuer();
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  const env = { DATABASE_URL, EVENTS_REDIS_URL: REDIS_URL, OIDC_ISSUER: issuer.issuer, OIDC_AUDIENCE: issuer.audience, LOG_LEVEL: 'warn', ...POLAR_NOT_CALLED_ENV };
  const workspaces: string[] = [];
  let app: RunningApp | undefined;
  console.log(`machine: ${process.arch}, node ${process.version}; the console's export of one user's workspace, read at full speed over loopback`);
  try {
    for (const records of counts) {
      app = await startApp('console', env);
      const token = await issuer.token(signInClaims(`sub-${randomUUID()}`, `bench-export-${randomUUID().slice(0, 8)}@bench.test`, { name: 'bench' }));
      const me = await fetch(`${app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      const profile = (await me.json()) as { user: { id: string }; workspaces: Array<{ id: string; role: string }> };
      const userId = profile.user.id;
      const workspaceId = profile.workspaces.find((workspace) => workspace.role === 'owner')?.id as string;
      workspaces.push(workspaceId);
      // One export of the still empty account first: the timed one finds the console warm (JIT, its connection).
      const warmUp = await download(app.url, token);
      if (warmUp.status !== 200) throw new Error(`warm-up export answered ${warmUp.status}`);
      const keyId = randomUUID();
      const seedStarted = performance.now();
      await db.query(
        `insert into usage_records (event_id, workspace_id, user_id, key_id, operation, units, status, latency_ms, at)
         select 'evt_' || md5($1 || g), $2, $3, $4, (array['faces.detect', 'faces.compare', 'labels.detect', 'text.detect'])[1 + g % 4],
                1 + g % 3, 200, 20 + g % 200, now() - g * interval '10 milliseconds'
           from generate_series(1, $5::int) g`,
        [workspaceId, workspaceId, userId, keyId, records],
      );
      await db.query('vacuum (analyze) usage_records');
      const seedSeconds = (performance.now() - seedStarted) / 1000;

      const pid = app.child.pid as number;
      const before = memoryOf(pid).rss;
      const highest = sampleRss(pid);
      const started = performance.now();
      const result = await download(app.url, token);
      const seconds = (performance.now() - started) / 1000;
      const sampled = highest();
      if (result.status !== 200) throw new Error(`export answered ${result.status}`);
      console.log(
        `records ${records.toLocaleString('en-US')}: seeded in ${seedSeconds.toFixed(1)} s; export ${seconds.toFixed(1)} s, ` +
          `${(result.bytes / MIB).toFixed(1)} MiB zip (${(result.bytes / MIB / seconds).toFixed(1)} MiB/s); console RSS before ${(before / MIB).toFixed(0)} MiB, ` +
          `highest sampled ${(sampled / MIB).toFixed(0)} MiB, peak (VmHWM) ${(memoryOf(pid).peak / MIB).toFixed(0)} MiB (goal < 300 MiB)`,
      );

      if (records === Math.max(...counts)) {
        const stallBefore = memoryOf(pid).rss;
        let stallHighest = 0;
        let inTransaction = false;
        const stalled = await download(app.url, token, {
          afterBytes: MIB,
          stall: async () => {
            const stallSampler = sampleRss(pid);
            await new Promise((resolve) => setTimeout(resolve, STALL_SECONDS * 1000));
            stallHighest = stallSampler();
            const open = await db.query(`select 1 from pg_stat_activity where application_name = 'nomosly-console-export' and state <> 'idle'`);
            inTransaction = (open.rowCount ?? 0) > 0;
          },
        });
        await until(
          async () => (await db.query(`select 1 from pg_stat_activity where application_name = 'nomosly-console-export' and state <> 'idle'`)).rowCount === 0,
          { what: 'the abandoned export released its connection', timeoutMs: 30_000 },
        );
        console.log(
          `stalled client (records ${records.toLocaleString('en-US')}): read ${(stalled.bytes / MIB).toFixed(1)} MiB, stopped ${STALL_SECONDS} s, hung up: ` +
            `console RSS ${(stallBefore / MIB).toFixed(0)} MiB before, highest ${(stallHighest / MIB).toFixed(0)} MiB during the stall; ` +
            `export still in its transaction during the stall: ${inTransaction ? 'yes' : 'no'}; connection released after hang-up: yes`,
        );
      }
      await app.stop();
      app = undefined;
    }
  } finally {
    await app?.stop();
    for (const workspaceId of workspaces) await db.query('delete from usage_records where workspace_id = $1', [workspaceId]);
    // Dead rows left behind would make every later scan of the table slower.
    await db.query('vacuum (analyze) usage_records');
    await db.end();
    await issuer.stop();
  }
}

runBench(main);
