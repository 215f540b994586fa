import type { ExportFile } from './export-files';

/** README.txt: what each file of the export holds, and how its rows are written. */
export function exportReadme(files: readonly ExportFile[], exportedAt: Date): string {
  const width = Math.max(...files.map((file) => file.name.length));
  const lines = [
    'Your Nomosly data',
    '=================',
    '',
    `Exported ${exportedAt.toISOString()}, all files from one consistent snapshot of the database.`,
    '',
    'Every row of ours that belongs to you: for a workspace you own, all of its rows; for a workspace you are',
    'only a member of, your own membership, the API keys you made and the usage made with them.',
    '',
    'Files',
    '-----',
    `${'README.txt'.padEnd(width)}  this file`,
    ...files.map((file) => `${file.name.padEnd(width)}  ${file.holds}`),
    '',
    'How rows are written',
    '--------------------',
    '- profile.json is one JSON object; every other .json file is a JSON array, one row a line; the .jsonl files',
    '  are JSON Lines: one JSON object a line, for the tables that can be long.',
    '- A row is the whole row as we store it: its field names are the database column names (snake_case), e.g.',
    '  "created_at", "workspace_id". The only column left out is an API key\'s "hash": it never leaves the database.',
    '- Times are ISO 8601 in UTC, up to the microsecond ("2026-12-04T09:30:00.123456+00:00"); days are "YYYY-MM-DD".',
    '- Ids are text (UUIDs, or the ids of events, requests and billing orders); counts and amounts are JSON numbers',
    '  (amounts in cents); absent values are null. Rows of the .jsonl files come in no particular order.',
    '',
  ];
  return lines.join('\n');
}
