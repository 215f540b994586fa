import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { ExportFormat } from './export-files';
import { jsonRows } from './json-rows';

async function encode(format: ExportFormat, rows: unknown[]): Promise<{ text: string; taken: number }> {
  let taken = 0;
  const encoded = Readable.from(rows.map((row) => [JSON.stringify(row)])).pipe(jsonRows(format, (n) => (taken += n)));
  return { text: await text(encoded), taken };
}

describe('jsonRows', () => {
  it('writes a JSON array one row a line, [] when empty', async () => {
    const rows = [{ id: 'a' }, { id: 'b', n: 2 }];
    const written = await encode('array', rows);
    expect(written.text).toBe('[\n{"id":"a"},\n{"id":"b","n":2}\n]\n');
    expect(JSON.parse(written.text)).toEqual(rows);
    expect(written.taken).toBe(2);
    expect((await encode('array', [])).text).toBe('[]\n');
  });

  it('writes JSON Lines, nothing when empty', async () => {
    expect((await encode('lines', [{ a: 1 }, { a: 2 }])).text).toBe('{"a":1}\n{"a":2}\n');
    expect((await encode('lines', [])).text).toBe('');
  });

  it('writes one object, null when there is none, and refuses a second', async () => {
    expect((await encode('object', [{ id: 'me' }])).text).toBe('{"id":"me"}\n');
    expect((await encode('object', [])).text).toBe('null\n');
    await expect(encode('object', [{ id: 'me' }, { id: 'someone else' }])).rejects.toThrow('more than one row');
  });

  it('passes many rows on in chunks and counts every one', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ i, padding: 'x'.repeat(20) }));
    const written = await encode('lines', rows);
    expect(written.text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { i: number }).i)).toEqual(rows.map((row) => row.i));
    expect(written.taken).toBe(rows.length);
  });
});
