// All projects' specs in one run: unit specs beside the code, and end-to-end specs (apps/*/test) that start
// the built apps as processes against the real PostgreSQL and Redis.
const { readdirSync, existsSync } = require('node:fs');
const path = require('node:path');

const projects = ['apps', 'libs'].flatMap((dir) =>
  readdirSync(path.join(__dirname, dir))
    .map((name) => path.join(__dirname, dir, name, 'jest.config.js'))
    .filter((config) => existsSync(config)),
).concat(['tools/workspace', 'tools/rekognition-local', 'tools/idp-local', 'tools/polar-local'].map((dir) => path.join(__dirname, dir, 'jest.config.js')));

module.exports = {
  projects,
  testTimeout: 60_000,
};
