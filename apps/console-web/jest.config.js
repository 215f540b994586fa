module.exports = {
  displayName: 'console-web',
  preset: '../../jest.preset.js',
  rootDir: '.',
  // Browser specs: real Chromium against the built apps (the web console among them) and the migrated test database.
  globalSetup: '../../tools/scripts/jest-global-setup.js',
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
};
