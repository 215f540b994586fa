import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dailyLog = path.resolve(__dirname, '../scripts/lib/daily-log.mjs');

/**
 * Runs `body` in a Node process (the module is ESM, as start.mjs is) with `openDailyLog` imported, a folder `dir`,
 * a controlled clock (`clock.now`, a Date, read by the log on every write) and `write(text)` that awaits a write.
 */
function run(dir: string, body: string): void {
  const script = `import { openDailyLog } from ${JSON.stringify(dailyLog)};
const dir = ${JSON.stringify(dir)};
const clock = { now: new Date('2026-03-10T12:00:00.000Z') };
const at = (iso) => { clock.now = new Date(iso); };
const open = () => openDailyLog({ dir, name: 'gateway', keepDays: 30, now: () => clock.now });
const write = (log, text) => new Promise((resolve, reject) => log.write(text, (error) => (error ? reject(error) : resolve())));
${body}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  if (result.status !== 0) throw new Error(result.stderr);
}

describe('npm start: the server log files (daily files, 30 days)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nomosly-daily-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const files = () => readdirSync(dir).sort();
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');

  it('P6: writes go to the file of the UTC day, and a write after midnight UTC goes to the next day\'s file', () => {
    run(
      dir,
      `const log = open();
await write(log, 'first\\n');
at('2026-03-10T23:59:59.999Z');
await write(log, 'last of the day\\n');
at('2026-03-11T00:00:00.000Z');
await write(log, 'next day\\n');
log.end();`,
    );
    expect(files()).toEqual(['gateway-2026-03-10.log', 'gateway-2026-03-11.log']);
    expect(read('gateway-2026-03-10.log')).toBe('first\nlast of the day\n');
    expect(read('gateway-2026-03-11.log')).toBe('next day\n');
  });

  it('P6: at start, files older than 30 days are deleted; files of 30 days or fewer, and other apps\' files, are kept', () => {
    for (const file of ['gateway-2026-02-07.log', 'gateway-2026-02-08.log', 'gateway-2026-02-09.log', 'gateway-2025-12-01.log', 'usage-2026-01-01.log', 'notes.txt']) {
      writeFileSync(path.join(dir, file), 'old\n');
    }
    // 2026-03-10 is 31 days after 2026-02-07 and 30 days after 2026-02-08.
    run(dir, `open().end();`);
    expect(files()).toEqual(['gateway-2026-02-08.log', 'gateway-2026-02-09.log', 'gateway-2026-03-10.log', 'notes.txt', 'usage-2026-01-01.log']);
  });

  it('P6: at each rollover, the file that has just become 31 days old is deleted', () => {
    writeFileSync(path.join(dir, 'gateway-2026-02-08.log'), 'old\n');
    writeFileSync(path.join(dir, 'gateway-2026-02-09.log'), 'old\n');
    run(
      dir,
      `const log = open();
await write(log, 'day one\\n');
at('2026-03-11T00:00:01.000Z');
await write(log, 'day two\\n');
log.end();`,
    );
    expect(files()).toEqual(['gateway-2026-02-09.log', 'gateway-2026-03-10.log', 'gateway-2026-03-11.log']);
  });

  it('P6: at start, the single <app>.log of before the daily files is deleted once unwritten for more than 30 days', () => {
    const legacy = (file: string, iso: string) => {
      writeFileSync(path.join(dir, file), 'before rotation\n');
      utimesSync(path.join(dir, file), new Date(iso), new Date(iso));
    };
    // The clock reads 2026-03-10T12:00Z: 30 days before is 2026-02-08T12:00Z.
    legacy('gateway.log', '2026-02-08T12:00:00.000Z');
    legacy('usage.log', '2026-01-01T00:00:00.000Z');
    run(dir, `open().end();`);
    expect(files()).toEqual(['gateway-2026-03-10.log', 'gateway.log', 'usage.log']);
    legacy('gateway.log', '2026-02-08T11:59:59.000Z');
    run(dir, `open().end();`);
    expect(files()).toEqual(['gateway-2026-03-10.log', 'usage.log']);
  });

  it('appends to today\'s file when opened again the same day (a restart keeps what was written)', () => {
    run(dir, `const a = open(); await write(a, 'before restart\\n'); a.end(); const b = open(); await write(b, 'after\\n'); b.end();`);
    expect(read('gateway-2026-03-10.log')).toBe('before restart\nafter\n');
  });
});
