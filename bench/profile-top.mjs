#!/usr/bin/env node
// Top self-time costs of V8 .cpuprofile files (node --cpu-prof): `node bench/profile-top.mjs <file|dir> [count]`.
// Self time of a function = the time its samples were on top of the stack, summed over every file given.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const [target, countArg] = process.argv.slice(2);
if (!target) {
  console.error('usage: profile-top.mjs <file.cpuprofile | directory> [count]');
  process.exit(2);
}
const files = statSync(target).isDirectory()
  ? readdirSync(target).filter((name) => name.endsWith('.cpuprofile')).map((name) => path.join(target, name))
  : [target];
const selfMs = new Map();
let totalMs = 0;
let idleMs = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    totalMs += ms;
    if (functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    const where = url ? `${url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '')}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'} ${where}`.trim();
    selfMs.set(name, (selfMs.get(name) ?? 0) + ms);
  });
}
const busyMs = totalMs - idleMs;
console.log(`${files.length} profile(s): ${totalMs.toFixed(0)} ms sampled, ${busyMs.toFixed(0)} ms busy (not idle)`);
const top = [...selfMs].sort((a, b) => b[1] - a[1]).slice(0, Number(countArg ?? 5));
for (const [name, ms] of top) console.log(`${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / busyMs).toFixed(1).padStart(5)}% of busy  ${name}`);
