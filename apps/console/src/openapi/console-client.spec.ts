import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../../..');

describe("the web console's generated client types", () => {
  it('are committed as a fresh generation from the Console API document would write them', () => {
    // From the build in dist/ (the test runner builds first when a source is newer).
    const check = spawnSync(process.execPath, ['tools/scripts/generate-console-client.mjs', '--check'], { cwd: root, encoding: 'utf8' });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
    expect(check.stdout).toContain('apps/console-web/src/api/schema.d.ts is current');
  });
});
