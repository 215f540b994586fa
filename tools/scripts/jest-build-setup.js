// Before specs that run built processes but need no database: dist/ is current.
const path = require('node:path');

module.exports = async function buildSetup() {
  const { buildIfStale } = await import('./lib/build-state.mjs');
  await buildIfStale(path.resolve(__dirname, '../..'));
};
