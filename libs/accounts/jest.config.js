module.exports = {
  displayName: 'accounts',
  preset: '../../jest.preset.js',
  rootDir: '.',
  // Specs run against a migrated test database.
  globalSetup: '../../tools/scripts/jest-global-setup.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
