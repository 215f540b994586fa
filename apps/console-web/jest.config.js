module.exports = {
  displayName: 'console-web',
  preset: '../../jest.preset.js',
  rootDir: '.',
  // Unit specs beside the web console's modules, and browser specs: real Chromium against the built apps (the web
  // console among them) and the migrated test database.
  globalSetup: '../../tools/scripts/jest-global-setup.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
};
