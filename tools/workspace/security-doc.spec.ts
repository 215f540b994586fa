import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const security = readFileSync(path.join(root, 'SECURITY.md'), 'utf8');

describe('SECURITY.md stays in step with the code', () => {
  it('names the four threats it protects against and how to report a problem', () => {
    for (const heading of ['### Outsider', '### Customer', '### Co-worker', '### Operator', '## Reporting a problem']) {
      expect(security).toContain(heading);
    }
  });

  it('points only at spec files that exist, and every protection row at one', () => {
    const specs = [...security.matchAll(/`([\w./-]+\.(?:e2e-)?spec\.ts)`/g)].map((match) => match[1]);
    expect(specs.length).toBeGreaterThan(20);
    expect(specs.filter((spec) => !existsSync(path.join(root, spec)))).toEqual([]);
    const rows = security.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| who') && !line.startsWith('| **') && !line.startsWith('| protection'));
    const protectionRows = rows.filter((line) => line.split('|').length === 5);
    expect(protectionRows.length).toBeGreaterThan(20);
    expect(protectionRows.filter((row) => !/spec\.ts`|start-up refusal/.test(row.split('|')[3]))).toEqual([]);
  });
});
