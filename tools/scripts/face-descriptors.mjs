#!/usr/bin/env node
// The face descriptors the local engine computes when it compares a source image with a target image, as a
// worker does for /v1/faces/compare: the 128-d vectors a face gallery would store. The P5 proof searches every
// store and log for them. Usage: face-descriptors.mjs <source file> <target file>; prints a JSON array of the
// descriptors' float32 bytes (little-endian), base64. Runs the built library (dist/), so build first.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { LocalEngine } = require(path.join(root, 'dist/libs/engines/src'));
const { inspectImage } = require(path.join(root, 'dist/libs/images/src'));

const [sourceFile, targetFile] = process.argv.slice(2);
const engine = new LocalEngine({ warmup: false });
await engine.start();
// The engine keeps descriptors to itself; wrap the model call that computes them to see each one.
const faces = engine.started.runtime.faces;
const compute = faces.descriptor.bind(faces);
const seen = [];
faces.descriptor = async (...args) => {
  const descriptor = await compute(...args);
  seen.push(Buffer.from(descriptor.buffer, descriptor.byteOffset, descriptor.byteLength).toString('base64'));
  return descriptor;
};
const [source, target] = await Promise.all([sourceFile, targetFile].map((file) => inspectImage(readFileSync(file))));
await engine.compareFaces(source, target, { similarityThreshold: 80 });
await engine.stop();
process.stdout.write(`${JSON.stringify(seen)}\n`);
process.exit(0);
