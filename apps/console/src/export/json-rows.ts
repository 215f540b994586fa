import { Transform, type TransformCallback } from 'node:stream';
import type { ExportFormat } from './export-files';

/** Bytes gathered before they are passed on: fewer, larger chunks through the zip and the socket. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Rows in (each `[jsonText]`, as the cursor returns them), a file's bytes out: one JSON object, a JSON array with
 * one row a line, or JSON Lines. A transform, so a reader that stops reading stops the rows too. `taken` hears how
 * many rows were taken in, a chunk at a time.
 */
export function jsonRows(format: ExportFormat, taken: (rows: number) => void = () => undefined): Transform {
  let pending = '';
  let rows = 0;
  let rowsPending = 0;
  const opening = format === 'array' ? '[' : '';
  return new Transform({
    writableObjectMode: true,
    writableHighWaterMark: 256,
    transform(row: [string], _encoding: BufferEncoding, done: TransformCallback) {
      const json = row[0];
      if (format === 'lines') pending += `${json}\n`;
      else if (format === 'array') pending += `${rows === 0 ? opening : ','}\n${json}`;
      else if (rows === 0) pending += json;
      else return done(new Error('more than one row for a one-object file'));
      rows += 1;
      rowsPending += 1;
      if (pending.length >= CHUNK_BYTES) {
        taken(rowsPending);
        rowsPending = 0;
        this.push(pending);
        pending = '';
      }
      done();
    },
    flush(done: TransformCallback) {
      if (format === 'array') pending += rows === 0 ? '[]\n' : '\n]\n';
      else if (format === 'object') pending += rows === 0 ? 'null\n' : '\n';
      if (rowsPending > 0) taken(rowsPending);
      if (pending !== '') this.push(pending);
      done();
    },
  });
}
