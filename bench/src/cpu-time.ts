import { readFileSync } from 'node:fs';

/** Linux's USER_HZ (getconf CLK_TCK), the unit of /proc's CPU times. */
const CLOCK_TICKS_PER_SECOND = 100;

/** A process's CPU time so far (user + system), in ms; null where /proc cannot say. */
export function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** The whole machine's CPU time so far, busy and in all, in ms (the first line of /proc/stat); null where it cannot say. */
export function machineCpuMs(): { busy: number; total: number } | null {
  try {
    const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((sum, value) => sum + value, 0);
    // idle and iowait are the 4th and 5th.
    const idle = ticks[3] + (ticks[4] ?? 0);
    return { busy: ((total - idle) * 1000) / CLOCK_TICKS_PER_SECOND, total: (total * 1000) / CLOCK_TICKS_PER_SECOND };
  } catch {
    return null;
  }
}
