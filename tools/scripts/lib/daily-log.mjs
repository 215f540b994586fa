// The server logs `npm start` writes (P6: kept 30 days): one file per app and UTC day, `<app>-YYYY-MM-DD.log`;
// the first write after midnight UTC goes to the next day's file, and files older than the limit are deleted when
// the log is opened and at each rollover (that first write). The single `<app>.log` of before the daily files is
// deleted at open once it has not been written for more than the limit. The clock is injectable, so that a test
// can cross midnight and age files.
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';

const DAY_MS = 24 * 60 * 60 * 1000;
const DAY_FILE = /^(?<name>.+)-(?<day>\d{4}-\d{2}-\d{2})\.log$/;

/** The UTC day of a moment, as YYYY-MM-DD. */
export function utcDay(date) {
  return date.toISOString().slice(0, 10);
}

/** The file a log named `name` writes to on `day`. */
export function dailyLogFile(dir, name, day) {
  return path.join(dir, `${name}-${day}.log`);
}

/**
 * Deletes the files of log `name` in `dir` whose day is more than `keepDays` days before `now`'s UTC day;
 * a file `keepDays` days old or younger is kept. Returns the names deleted.
 */
export function pruneDailyLogs(dir, name, keepDays, now) {
  const today = Date.parse(utcDay(now));
  const deleted = [];
  for (const file of readdirSync(dir)) {
    const match = DAY_FILE.exec(file);
    if (!match || match.groups.name !== name) continue;
    const ageDays = Math.round((today - Date.parse(match.groups.day)) / DAY_MS);
    if (ageDays > keepDays) {
      rmSync(path.join(dir, file), { force: true });
      deleted.push(file);
    }
  }
  return deleted.sort();
}

/**
 * Deletes `<name>.log` in `dir`, the one file per app that npm start wrote before the daily files, when it was last
 * written more than `keepDays` days before `now` (nothing writes to it any more). Returns whether it was deleted.
 */
export function pruneLegacyLog(dir, name, keepDays, now) {
  const file = path.join(dir, `${name}.log`);
  let modifiedAt;
  try {
    modifiedAt = statSync(file).mtimeMs;
  } catch {
    return false;
  }
  if (now.getTime() - modifiedAt <= keepDays * DAY_MS) return false;
  rmSync(file, { force: true });
  return true;
}

/**
 * A writable stream (pipe an app's stdout and stderr into it) that appends to today's file of log `name`.
 * `keepDays`: how many days of files are kept; `now`: the clock (tests pass their own).
 */
export function openDailyLog({ dir, name, keepDays, now = () => new Date() }) {
  if (!Number.isInteger(keepDays) || keepDays < 1) throw new Error(`keepDays must be a whole number of days, got ${keepDays}`);
  mkdirSync(dir, { recursive: true });
  let day = null;
  let fd = null;
  const fileFor = (moment) => {
    const today = utcDay(moment);
    if (today !== day) {
      if (fd !== null) closeSync(fd);
      day = today;
      fd = openSync(dailyLogFile(dir, name, day), 'a');
      pruneDailyLogs(dir, name, keepDays, moment);
    }
    return fd;
  };
  const openedAt = now();
  pruneLegacyLog(dir, name, keepDays, openedAt);
  fileFor(openedAt);
  const stream = new Writable({
    write(chunk, _encoding, done) {
      try {
        writeSync(fileFor(now()), chunk);
        done();
      } catch (error) {
        done(error);
      }
    },
    final(done) {
      if (fd !== null) closeSync(fd);
      fd = null;
      done();
    },
  });
  /** The file the next write goes to, if the day has not changed. */
  stream.currentFile = () => dailyLogFile(dir, name, day);
  return stream;
}
